using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Grains.Webhooks;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Webhooks through the silo's real "webhooks" handler to a bare receiver on loopback (allowed by
/// Trading:Webhooks:AllowPrivateNetworks): a receiver that never answers is a failed attempt, retried with the same events
/// and delivery id, one request at a time; one that answers 410 Gone disables the webhook at that answer.
/// </summary>
public sealed class WebhookSocketReceiverTests
{
    // A receiver that reads the request and never answers: each attempt ends at the timeout, closing its connection
    // before the next one opens, so a hanging receiver never holds more than one of the webhook's requests.
    [Fact]
    public async Task AReceiverThatNeverAnswers_IsAFailedAttemptAtTheTimeout_RetriedOneConnectionAtATime()
    {
        await using var receiver = new SocketReceiver(answer: null);
        await using var cluster = await StartAsync();
        var webhook = await FillWithWebhookAsync(cluster, receiver, "wh-hang", "WHH", "hang");
        var status = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.ConsecutiveFailures >= 3, "three timed-out attempts", TimeSpan.FromSeconds(60));

        Assert.Equal((WebhookState.Active, "No answer within 1 s.", 0L), (status!.State, status.LastError, status.Deliveries));
        Assert.True(receiver.Requests.Count >= 3, $"{receiver.Requests.Count} requests");
        Assert.Single(receiver.Requests.Select(r => r.DeliveryId).Distinct());
        Assert.Single(receiver.Requests.Select(r => r.Body).Distinct());
        Assert.Equal(1, receiver.MostOpenAtOnce);
    }

    // 410 Gone says the endpoint is gone for good (docs/api.md, "410 Gone disables at once"): over a real connection too,
    // the webhook is disabled at that answer, with no retry scheduled. It was retried like any failure before.
    [Fact]
    public async Task AGoneReceiver_DisablesTheWebhookAtItsFirstAnswer()
    {
        await using var receiver = new SocketReceiver(answer: "410 Gone");
        await using var cluster = await StartAsync();
        var webhook = await FillWithWebhookAsync(cluster, receiver, "wh-gone", "WHG", "gone");
        var status = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.ConsecutiveFailures >= 1, "the 410's outcome", TimeSpan.FromSeconds(30));

        Assert.Equal((WebhookState.Disabled, "HTTP 410 Gone", 0L, (DateTimeOffset?)null), (status!.State, status.LastError, status.Deliveries, status.NextAttemptAt));
        Assert.Single(receiver.Requests);
    }

    /// <summary>An account with a webhook of its fills to the receiver, and one fill (order "{webhookId}-1") for it to deliver.</summary>
    private static async Task<IWebhookGrain> FillWithWebhookAsync(TradingCluster cluster, SocketReceiver receiver, string accountId, string symbol, string webhookId)
    {
        var account = await TestAccounts.OpenAsync(cluster, accountId, 100_000m);
        await Market.QuoteAsync(cluster, symbol, 50m, 50m);
        var webhook = Webhook(cluster, accountId, webhookId);
        Assert.True((await webhook.CreateAsync(new CreateWebhook { Url = $"http://127.0.0.1:{receiver.Port}/hook", Kinds = [AccountEventKind.Fill] })).Succeeded);
        await FillAsync(account, Market.MarketOrder(webhookId + "-1", symbol, OrderSide.Buy, 1m), 1);
        return webhook;
    }

    private static IWebhookGrain Webhook(TradingCluster cluster, string accountId, string webhookId) =>
        cluster.Grains.GetGrain<IWebhookGrain>(WebhookKey.Create(accountId, webhookId));

    private static Task<TradingCluster> StartAsync() =>
        TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.Configure<WebhookOptions>(o =>
            {
                o.AllowPrivateNetworks = true;
                o.Timeout = TimeSpan.FromSeconds(1);
            }),
        });

    /// <summary>
    /// A bare HTTP/1.1 server on 127.0.0.1 that serves each connection on its own: reads the request whole, then answers
    /// with the status given and closes, or (no status) answers nothing and waits for the client to close. It counts
    /// the connections open at once.
    /// </summary>
    private sealed class SocketReceiver : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly string? _answer;
        private readonly Task _accepting;
        private readonly List<Task> _serving = [];
        private readonly List<(string DeliveryId, string Body)> _requests = [];
        private int _open;
        private int _mostOpen;

        public SocketReceiver(string? answer)
        {
            _answer = answer;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int MostOpenAtOnce => Volatile.Read(ref _mostOpen);

        public IReadOnlyList<(string DeliveryId, string Body)> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            Task[] serving;
            lock (_serving)
            {
                serving = [.. _serving];
            }

            await Task.WhenAll(serving);
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var open = Interlocked.Increment(ref _open);
                    InterlockedMax(ref _mostOpen, open);
                    lock (_serving)
                    {
                        _serving.Add(ServeAsync(client));
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                // Stopped.
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            try
            {
                using (client)
                {
                    var stream = client.GetStream();
                    var (head, body) = await ReadRequestAsync(stream);
                    var deliveryId = head.Split("\r\n").First(l => l.StartsWith(WebhookSender.DeliveryIdHeader + ":", StringComparison.OrdinalIgnoreCase))
                        [(WebhookSender.DeliveryIdHeader.Length + 1)..].Trim();
                    lock (_requests)
                    {
                        _requests.Add((deliveryId, body));
                    }

                    if (_answer is not null)
                    {
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {_answer}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
                        return;
                    }

                    // No answer: the connection stays open until the client gives up and closes it.
                    var buffer = new byte[256];
                    while (await stream.ReadAsync(buffer, _stop.Token) > 0)
                    {
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
            {
                // Stopped, or the client reset the connection.
            }
            finally
            {
                Interlocked.Decrement(ref _open);
            }
        }

        private async Task<(string Head, string Body)> ReadRequestAsync(NetworkStream stream)
        {
            var read = new List<byte>();
            var buffer = new byte[4096];
            int headEnd;
            while ((headEnd = IndexOfHeadEnd(read)) < 0)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    throw new IOException("Closed before the request's head ended.");
                }

                read.AddRange(buffer.AsSpan(0, n));
            }

            var head = Encoding.ASCII.GetString([.. read.Take(headEnd)]);
            var lengthLine = head.Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var length = int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            while (read.Count - headEnd - 4 < length)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    throw new IOException("Closed before the request's body ended.");
                }

                read.AddRange(buffer.AsSpan(0, n));
            }

            return (head, Encoding.UTF8.GetString([.. read.Skip(headEnd + 4).Take(length)]));
        }

        private static int IndexOfHeadEnd(List<byte> read) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(read).IndexOf("\r\n\r\n"u8);

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
