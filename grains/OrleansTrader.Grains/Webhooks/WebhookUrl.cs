using System.Net;

namespace OrleansTrader.Grains.Webhooks;

/// <summary>What a webhook may be sent to.</summary>
internal static class WebhookUrl
{
    public const int MaxLength = 2048;

    /// <summary>
    /// Null when <paramref name="url"/> is an absolute http(s) URL without credentials or fragment, whose host is not an
    /// address <see cref="WebhookAddressPolicy"/> refuses (unless <paramref name="allowPrivateNetworks"/>); else why not.
    /// A host name is checked at each delivery, on the addresses it resolves to then.
    /// </summary>
    public static string? Check(string? url, bool allowPrivateNetworks)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "Required: the http or https URL the events are POSTed to.";
        }

        if (url.Length > MaxLength)
        {
            return $"At most {MaxLength} characters.";
        }

        // The URL is answered to every reader of the webhook and its origin is logged: a line break or an escape sequence in
        // it was stored and shown as given, a bidirectional override makes a host read as another, and white space the parser
        // trims or escapes is not what was asked for. A URL carries them percent-encoded.
        if (url.Any(c => char.IsWhiteSpace(c) || Domain.FreeText.IsRefused(c)))
        {
            return "Must not hold white space, control or bidirectional formatting characters: percent-encode them (%20).";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            return "Must be an absolute http or https URL.";
        }

        // The URL is shown to every reader of the webhook; a password in it would be too. Requests are signed instead.
        if (uri.UserInfo.Length > 0)
        {
            return "Must not hold a user name or password: verify the signature header instead.";
        }

        if (uri.Fragment.Length > 0)
        {
            return "Must not have a fragment (#...).";
        }

        // Refused now rather than at every delivery: the request could never go.
        if (!allowPrivateNetworks && uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            && IPAddress.TryParse(uri.DnsSafeHost, out var address) && WebhookAddressPolicy.RefusedRange(address) is { } range)
        {
            return $"{uri.Host} is a {range} address: webhooks are not sent to loopback, private, link-local, multicast or other internal addresses unless the silo's {WebhookAddressPolicy.AllowOption} setting is true.";
        }

        return null;
    }
}
