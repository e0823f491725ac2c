using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Grains.Webhooks;

/// <summary>
/// Where webhooks may connect: unless <see cref="WebhookOptions.AllowPrivateNetworks"/>, not to loopback, private,
/// link-local, carrier-grade NAT, unspecified, multicast or broadcast addresses, nor the IPv6 forms that embed them, nor
/// local-use NAT64.
/// </summary>
/// <remarks>
/// The check is on the addresses the socket connects to, at each connection, not on the URL's text: a name that resolves
/// to 169.254.169.254, or resolves to a public address at creation and to a private one later (DNS rebinding), is refused
/// too. Redirects are not followed, so a receiver cannot send the request elsewhere either.
/// </remarks>
internal static class WebhookAddressPolicy
{
    public const string AllowOption = WebhookOptions.SectionName + ":" + nameof(WebhookOptions.AllowPrivateNetworks);

    /// <summary>The webhooks' primary handler: connects only to addresses the policy allows, follows no redirect, uses no proxy.</summary>
    public static SocketsHttpHandler CreateHandler(IOptions<WebhookOptions> options) => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),

        // Through a proxy the socket's address would be the proxy's, and the proxy would resolve the webhook's host unchecked.
        UseProxy = false,
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, options.Value.AllowPrivateNetworks, cancellationToken),
    };

    /// <summary>Null when a webhook may connect to <paramref name="address"/>; else the refused range it is in, e.g. "link-local (169.254.0.0/16)".</summary>
    public static string? RefusedRange(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && EmbeddedIPv4(address) is { } embedded)
        {
            return RefusedRange(embedded) is { } range ? $"{range}, embedded in IPv6" : null;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out var length);
        if (length == 4)
        {
            return b[0] switch
            {
                0 => "unspecified (0.0.0.0/8)",
                10 => "private (10.0.0.0/8)",
                100 when (b[1] & 0xC0) == 64 => "carrier-grade NAT (100.64.0.0/10)",
                127 => "loopback (127.0.0.0/8)",
                169 when b[1] == 254 => "link-local (169.254.0.0/16)",
                172 when (b[1] & 0xF0) == 16 => "private (172.16.0.0/12)",
                192 when b[1] == 168 => "private (192.168.0.0/16)",
                >= 224 and < 240 => "multicast (224.0.0.0/4)",
                >= 240 => "reserved or broadcast (240.0.0.0/4)",
                _ => null,
            };
        }

        if (address.Equals(IPAddress.IPv6Any))
        {
            return "unspecified (::)";
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "loopback (::1)";
        }

        return b[0] switch
        {
            _ when (b[0] & 0xFE) == 0xFC => "unique-local (fc00::/7)",
            0xFE when (b[1] & 0xC0) == 0x80 => "link-local (fe80::/10)",
            0xFE when (b[1] & 0xC0) == 0xC0 => "site-local (fec0::/10)",
            0xFF => "multicast (ff00::/8)",

            // RFC 8215's prefix for translation inside one network: the IPv4 behind it is the operator's choice (private ones
            // included) and, unlike 64:ff9b::/96, its place in the address depends on the prefix length used, so the whole
            // range is refused rather than read.
            0x00 when b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4] == 0x00 && b[5] == 0x01 => "local-use NAT64 (64:ff9b:1::/48)",
            _ => null,
        };
    }

    /// <summary>
    /// Resolves the host (a literal address is taken as it is) and connects to the first allowed address that answers;
    /// throws <see cref="WebhookAddressRefusedException"/> when none is allowed.
    /// </summary>
    internal static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        var host = endpoint.Host.TrimStart('[').TrimEnd(']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        IPAddress[] allowed = allowPrivateNetworks ? addresses : [.. addresses.Where(a => RefusedRange(a) is null)];
        if (allowed.Length == 0)
        {
            throw new WebhookAddressRefusedException(
                $"Refused to connect to {host}: it resolves to {string.Join(", ", addresses.Select(a => $"{a} ({RefusedRange(a)})"))}, " +
                $"and webhooks are not sent to loopback, private, link-local, multicast or other internal addresses unless {AllowOption} is true.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The IPv4 address an IPv6 one stands for: IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96) or NAT64 (64:ff9b::/96).</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        var compatible = b[..12].IndexOfAnyExcept((byte)0) < 0 && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback);
        ReadOnlySpan<byte> nat64 = [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0];
        return compatible || b[..12].SequenceEqual(nat64) ? new IPAddress(b[12..]) : null;
    }
}
