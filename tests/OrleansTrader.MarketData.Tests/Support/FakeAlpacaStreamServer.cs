using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.MarketData.Tests.Support;

/// <summary>An in-process Alpaca market data stream on 127.0.0.1 that speaks the documented protocol.</summary>
internal sealed class FakeAlpacaStreamServer : IAsyncDisposable
{
    public const string Key = "PKTESTKEY0001";
    public const string Secret = "test-secret-0001";

    private readonly WebApplication _app;
    private int _connections;
    private int _droppedSessions;
    private int _closedSessions;

    private FakeAlpacaStreamServer(WebApplication app) => _app = app;

    public enum AuthBehaviour
    {
        Accept,
        Reject402,

        /// <summary>The plan does not include the feed: Alpaca says so when the keys authenticate (409).</summary>
        Reject409,
        NeverAnswer,
    }

    public AuthBehaviour Auth { get; set; } = AuthBehaviour.Accept;

    /// <summary>Called after each subscription confirmation with the session and the 1-based connection number.</summary>
    public Func<FakeSession, int, Task>? OnSubscribed { get; set; }

    /// <summary>
    /// The plan's symbol limit, when set: a subscribe that would take a session past it is refused with 405 and the
    /// session keeps the symbols it had, as Alpaca documents.
    /// </summary>
    public int? SymbolLimit { get; set; }

    public ConcurrentQueue<JsonElement> ReceivedActions { get; } = new();

    /// <summary>The symbols each session (by 1-based connection number) streams after its latest answer.</summary>
    public ConcurrentDictionary<int, IReadOnlyList<string>> Streaming { get; } = new();

    public int Connections => Volatile.Read(ref _connections);

    public int DroppedSessions => Volatile.Read(ref _droppedSessions);

    /// <summary>Sessions the client ended with a close handshake.</summary>
    public int ClosedSessions => Volatile.Read(ref _closedSessions);

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<FakeAlpacaStreamServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeAlpacaStreamServer(app);
        app.UseWebSockets();
        app.Map("/v2/{feed}", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/v2");
        return server;
    }

    public IReadOnlyList<JsonElement> Actions(string action) =>
        ReceivedActions.Where(a => a.GetProperty("action").GetString() == action).ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var number = Interlocked.Increment(ref _connections);
        var session = new FakeSession(socket);
        var trades = new SortedSet<string>(StringComparer.Ordinal);
        var quotes = new SortedSet<string>(StringComparer.Ordinal);
        var bars = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            await session.SendAsync("""[{"T":"success","msg":"connected"}]""");
            while (await session.ReceiveAsync() is { } text)
            {
                var message = JsonDocument.Parse(text).RootElement.Clone();
                ReceivedActions.Enqueue(message);
                switch (message.GetProperty("action").GetString())
                {
                    case "auth" when Auth == AuthBehaviour.Reject402:
                        await session.SendAsync("""[{"T":"error","code":402,"msg":"auth failed"}]""");
                        break;
                    case "auth" when Auth == AuthBehaviour.Reject409:
                        await session.SendAsync("""[{"T":"error","code":409,"msg":"insufficient subscription"}]""");
                        break;
                    case "auth" when Auth == AuthBehaviour.Accept:
                        var ok = message.GetProperty("key").GetString() == Key && message.GetProperty("secret").GetString() == Secret;
                        await session.SendAsync(ok ? """[{"T":"success","msg":"authenticated"}]""" : """[{"T":"error","code":402,"msg":"auth failed"}]""");
                        break;
                    case "subscribe" or "unsubscribe":
                        var add = message.GetProperty("action").GetString() == "subscribe";
                        if (add && SymbolLimit is { } limit && OverLimit(message, limit, trades, quotes, bars))
                        {
                            Streaming[number] = [.. trades.Union(quotes).Union(bars).Order(StringComparer.Ordinal)];
                            await session.SendAsync("""[{"T":"error","code":405,"msg":"symbol limit exceeded"}]""");
                            break;
                        }

                        Apply(message, "trades", trades, add);
                        Apply(message, "quotes", quotes, add);
                        Apply(message, "bars", bars, add);
                        Streaming[number] = [.. trades.Union(quotes).Union(bars).Order(StringComparer.Ordinal)];
                        await session.SendAsync(JsonSerializer.Serialize(new[]
                        {
                            new Dictionary<string, object> { ["T"] = "subscription", ["trades"] = trades, ["quotes"] = quotes, ["bars"] = bars },
                        }));
                        if (OnSubscribed is { } onSubscribed && add)
                        {
                            await onSubscribed(session, number);
                        }

                        break;
                }
            }

            Interlocked.Increment(ref _closedSessions);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _droppedSessions);
        }
    }

    private static bool OverLimit(JsonElement message, int limit, params SortedSet<string>[] channels)
    {
        var after = new SortedSet<string>(channels.SelectMany(c => c), StringComparer.Ordinal);
        foreach (var channel in new[] { "trades", "quotes", "bars" })
        {
            if (message.TryGetProperty(channel, out var list))
            {
                after.UnionWith(list.EnumerateArray().Select(s => s.GetString()!));
            }
        }

        return after.Count > limit;
    }

    private static void Apply(JsonElement message, string channel, SortedSet<string> set, bool add)
    {
        if (!message.TryGetProperty(channel, out var list))
        {
            return;
        }

        foreach (var symbol in list.EnumerateArray())
        {
            if (add)
            {
                set.Add(symbol.GetString()!);
            }
            else
            {
                set.Remove(symbol.GetString()!);
            }
        }
    }

    public sealed class FakeSession(WebSocket socket)
    {
        public Task SendAsync(string json) =>
            socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

        public void Drop() => socket.Abort();

        /// <summary>Starts a close handshake, as Alpaca does after some errors.</summary>
        public Task CloseAsync() => socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

        public async Task<string?> ReceiveAsync()
        {
            var buffer = new byte[16 * 1024];
            using var text = new MemoryStream();
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // Answer the client's close, as a server does, completing the handshake.
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return null;
                }

                text.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    return Encoding.UTF8.GetString(text.ToArray());
                }
            }
        }
    }
}
