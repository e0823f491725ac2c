using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Grains.Webhooks;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Webhooks are requests the silo makes to URLs an API caller chose: unless Trading:Webhooks:AllowPrivateNetworks, none
/// reaches loopback, private or link-local addresses (169.254.169.254 is the instance metadata and managed identity
/// endpoint), whether the URL names the address or a host that resolves to it. These clusters keep the silo's real
/// "webhooks" handler, so requests go through real sockets.
/// </summary>
public sealed class WebhookAddressPolicyTests
{
    private const string Option = "Trading:Webhooks:AllowPrivateNetworks";

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.255", "carrier-grade NAT")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd12:3456::1", "unique-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::169.254.169.254", "link-local")]
    [InlineData("64:ff9b::a9fe:a9fe", "link-local")]
    [InlineData("64:ff9b:1::a9fe:a9fe", "local-use NAT64")]
    [InlineData("64:ff9b:1:a9fe:a9:fe00::", "local-use NAT64")]
    [InlineData("64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "local-use NAT64")]
    public void AnInternalAddress_IsRefused_NamingItsRange(string address, string range) =>
        Assert.Contains(range, WebhookAddressPolicy.RefusedRange(IPAddress.Parse(address)), StringComparison.Ordinal);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("192.169.0.1")]
    [InlineData("169.255.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("64:ff9b:2::1")]
    public void APublicAddress_IsAllowed(string address) => Assert.Null(WebhookAddressPolicy.RefusedRange(IPAddress.Parse(address)));

    [Fact]
    public async Task AWebhookToALiteralInternalAddress_IsRefusedAtCreation_NamingTheOption_UnlessAllowed()
    {
        await using var cluster = await StartAsync(allowPrivateNetworks: false);
        await TestAccounts.OpenAsync(cluster, "wh-lit", 10_000m);
        var i = 0;
        foreach (var url in new[]
        {
            "http://169.254.169.254/metadata/identity/oauth2/token", "http://127.0.0.1:8080/hook", "http://10.0.0.5/", "http://[::1]/",
            "http://[::ffff:169.254.169.254]/", "http://[fd00::1]/", "http://100.64.0.1/", "http://0.0.0.0/",
        })
        {
            var refused = await Webhook(cluster, "wh-lit", $"w{i++}").CreateAsync(new CreateWebhook { Url = url });
            Assert.False(refused.Succeeded, url);
            Assert.Equal((WebhookErrorCodes.InvalidUrl, "url"), (refused.ErrorCode, refused.Field));
            Assert.Contains(Option, refused.Message, StringComparison.Ordinal);
        }

        Assert.Empty(await cluster.Grains.GetGrain<IWebhookDirectoryGrain>("wh-lit").ListAsync());

        // A name is taken here and checked where it counts, on the addresses it resolves to at each delivery.
        Assert.True((await Webhook(cluster, "wh-lit", "named").CreateAsync(new CreateWebhook { Url = "https://receiver.example/hook" })).Succeeded);

        await using var allowing = await StartAsync(allowPrivateNetworks: true);
        await TestAccounts.OpenAsync(allowing, "wh-lit", 10_000m);
        var allowed = await Webhook(allowing, "wh-lit", "local").CreateAsync(new CreateWebhook { Url = "http://127.0.0.1:8080/hook" });
        Assert.True(allowed.Succeeded, allowed.Message);
    }

    // The URL names no address: only the resolved one says that "localhost" (or a name an attacker's DNS points at
    // 127.0.0.1 or 169.254.169.254) is the silo's own host.
    [Fact]
    public async Task AWebhookToANameResolvingToLoopback_IsRefusedAtDelivery_AsAFailedAttempt()
    {
        await using var receiver = new LoopbackReceiver();
        await using var cluster = await StartAsync(allowPrivateNetworks: false);
        var account = await TestAccounts.OpenAsync(cluster, "wh-dns", 100_000m);
        await Market.QuoteAsync(cluster, "WHD", 50m, 50m);
        var webhook = Webhook(cluster, "wh-dns", "local");
        Assert.True((await webhook.CreateAsync(new CreateWebhook { Url = $"http://localhost:{receiver.Port}/hook", Kinds = [AccountEventKind.Fill] })).Succeeded);

        await FillAsync(account, Market.MarketOrder("dns-1", "WHD", OrderSide.Buy, 1m), 1);
        var status = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.ConsecutiveFailures > 0 || s.EventsDelivered > 0, "the first attempt");

        Assert.Equal((0L, 0, WebhookState.Active), (status!.EventsDelivered, receiver.Requests, status.State));
        Assert.Equal(1, status.ConsecutiveFailures);
        Assert.NotNull(status.NextAttemptAt);
        Assert.Contains("127.0.0.1 (loopback", status.LastError, StringComparison.Ordinal);
        Assert.Contains(Option, status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWebhookToANameResolvingToLoopback_IsDelivered_WhenPrivateNetworksAreAllowed()
    {
        await using var receiver = new LoopbackReceiver();
        await using var cluster = await StartAsync(allowPrivateNetworks: true);
        var account = await TestAccounts.OpenAsync(cluster, "wh-dns", 100_000m);
        await Market.QuoteAsync(cluster, "WHD", 50m, 50m);
        var webhook = Webhook(cluster, "wh-dns", "local");
        Assert.True((await webhook.CreateAsync(new CreateWebhook { Url = $"http://localhost:{receiver.Port}/hook", Kinds = [AccountEventKind.Fill] })).Succeeded);

        await FillAsync(account, Market.MarketOrder("dns-1", "WHD", OrderSide.Buy, 1m), 1);
        var status = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.ConsecutiveFailures > 0 || s.EventsDelivered > 0, "the first attempt");

        Assert.Equal((1L, 0, (string?)null), (status!.EventsDelivered, status.ConsecutiveFailures, status.LastError));
        Assert.Equal(1, receiver.Requests);
    }

    // A webhook stored before the creation check, or a name pointed at the metadata endpoint, meets the same refusal
    // at the socket: no connection is tried, so no timeout is waited for either.
    [Fact]
    public async Task TheMetadataEndpoint_IsRefusedAtDelivery_WithoutAConnection()
    {
        await using var cluster = await StartAsync(allowPrivateNetworks: false, timeout: TimeSpan.FromSeconds(3));
        var sender = cluster.Cluster.ServiceProvider.GetRequiredService<WebhookSender>();

        var attempt = await sender.SendAsync("http://169.254.169.254/metadata/identity/oauth2/token?resource=https://management.azure.com/", ["whsec_test"],
            new WebhookDelivery { DeliveryId = "meta:1-1", WebhookId = "meta", AccountId = "wh-meta", Events = [] });

        Assert.False(attempt.Delivered);
        Assert.StartsWith("Refused to connect to 169.254.169.254: it resolves to 169.254.169.254 (link-local (169.254.0.0/16))", attempt.Error, StringComparison.Ordinal);
        Assert.Contains(Option, attempt.Error, StringComparison.Ordinal);
    }

    // A receiver's redirect is an answer, not a new request: following it would reach whatever it names, unchecked by
    // the creation check and, without a re-check, by anything else.
    [Fact]
    public async Task ARedirect_IsAFailedAttempt_NotFollowed()
    {
        await using var receiver = new LoopbackReceiver("302 Found", "Location: http://169.254.169.254/metadata/identity/oauth2/token");
        await using var cluster = await StartAsync(allowPrivateNetworks: true);
        var sender = cluster.Cluster.ServiceProvider.GetRequiredService<WebhookSender>();

        var attempt = await sender.SendAsync($"http://127.0.0.1:{receiver.Port}/hook", ["whsec_test"],
            new WebhookDelivery { DeliveryId = "r:1-1", WebhookId = "r", AccountId = "wh-r", Events = [] });

        Assert.Equal((false, "HTTP 302 Found"), (attempt.Delivered, attempt.Error));
        Assert.Equal(1, receiver.Requests);
    }

    private static IWebhookGrain Webhook(TradingCluster cluster, string accountId, string webhookId) =>
        cluster.Grains.GetGrain<IWebhookGrain>(WebhookKey.Create(accountId, webhookId));

    private static Task<TradingCluster> StartAsync(bool allowPrivateNetworks, TimeSpan? timeout = null) =>
        TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.Configure<WebhookOptions>(o =>
            {
                o.AllowPrivateNetworks = allowPrivateNetworks;
                o.Timeout = timeout ?? o.Timeout;
            }),
        });

    /// <summary>A bare HTTP/1.1 server on 127.0.0.1: reads each request whole, answers it with the status given and closes.</summary>
    private sealed class LoopbackReceiver : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly byte[] _answer;
        private readonly Task _serving;
        private int _requests;

        public LoopbackReceiver(string status = "200 OK", string? header = null)
        {
            _answer = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\n{(header is null ? string.Empty : header + "\r\n")}Content-Length: 0\r\nConnection: close\r\n\r\n");
            _listener.Start();
            _serving = ServeAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Requests => Volatile.Read(ref _requests);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving;
            _stop.Dispose();
        }

        private async Task ServeAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    await ReadRequestAsync(stream);
                    Interlocked.Increment(ref _requests);
                    await stream.WriteAsync(_answer, _stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException
                or InvalidOperationException)
            {
                // Stopped (a listener stopped between two accepts throws "Not listening").
            }
        }

        /// <summary>Reads the head, then as many body bytes as its Content-Length says.</summary>
        private async Task ReadRequestAsync(NetworkStream stream)
        {
            var read = new List<byte>();
            var buffer = new byte[4096];
            int headEnd;
            while ((headEnd = IndexOfHeadEnd(read)) < 0)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                read.AddRange(buffer.AsSpan(0, n));
            }

            var head = Encoding.ASCII.GetString([.. read.Take(headEnd)]);
            var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            var remaining = length - (read.Count - headEnd - 4);
            while (remaining > 0)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                remaining -= n;
            }
        }

        private static int IndexOfHeadEnd(List<byte> read) => CollectionsMarshal.AsSpan(read).IndexOf("\r\n\r\n"u8);
    }
}
