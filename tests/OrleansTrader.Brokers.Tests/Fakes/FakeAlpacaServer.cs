using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.Brokers.Tests.Fakes;

/// <summary>
/// An in-process Alpaca Trading API v2 on 127.0.0.1 (Kestrel, port 0): REST and the trade_updates websocket,
/// speaking the documented payloads, written by hand (independently of the adapter's DTOs) so field names are
/// cross-checked. Orders live in memory. Faults are injected per request; the venue is driven from tests.
/// </summary>
public sealed class FakeAlpacaServer : IAsyncDisposable
{
    public const string KeyId = "PKFAKE7Q2W9E4R1T6Y3U";
    public const string SecretKey = "fakeSecret-Zx81Vb37Nm55Qw09";
    public const string AccountNumber = "PA9Q7W3E5R1T";

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(15);

    private readonly Lock _gate = new();
    private readonly List<FakeOrder> _orders = [];
    private readonly List<JsonObject> _activities = [];
    private readonly Dictionary<string, (decimal Qty, decimal AvgEntry)> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (decimal Bid, decimal Ask)> _quotes = new(StringComparer.Ordinal);
    private readonly List<FakeFault> _faults = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<FakeSubscriber> _subscribers = [];
    private readonly SemaphoreSlim _broadcast = new(1, 1);
    private readonly bool _binaryFrames;
    private readonly CancellationTokenSource _stopping = new();
    private int _stallNextStreams;
    private int _closeNextStreams;
    private int _ignoreNextAuths;
    private WebApplication? _app;
    private string? _rejectNextReason;
    private int _authMessages;
    private int _legacyAuthMessages;
    private int _listenMessages;
    private int _streamConnections;
    private int _brokenStreams;
    private int _closedStreams;

    private FakeAlpacaServer(bool binaryFrames)
    {
        _binaryFrames = binaryFrames;
    }

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    public Uri StreamUrl { get; private set; } = new("ws://127.0.0.1/stream");

    /// <summary>While true, websocket upgrades are refused with 503 (the venue's stream is down).</summary>
    public bool RejectStreamConnections { get; set; }

    /// <summary>
    /// How many of the next stream connections go quiet once listening: the fake stops reading them (so it answers no
    /// ping), sends them nothing and never closes them, as a half-open connection does.
    /// </summary>
    public int StallNextStreams
    {
        get => Volatile.Read(ref _stallNextStreams);
        set => Volatile.Write(ref _stallNextStreams, value);
    }

    /// <summary>
    /// How many of the next stream connections the fake closes (a close frame) right after answering their listen, as a
    /// second connection on the same key displaces the first.
    /// </summary>
    public int CloseNextStreamsAfterListening
    {
        get => Volatile.Read(ref _closeNextStreams);
        set => Volatile.Write(ref _closeNextStreams, value);
    }

    /// <summary>How many of the next auth messages the fake leaves unanswered, as a venue that took the connection and hangs.</summary>
    public int IgnoreNextAuths
    {
        get => Volatile.Read(ref _ignoreNextAuths);
        set => Volatile.Write(ref _ignoreNextAuths, value);
    }

    public int AuthMessages => Volatile.Read(ref _authMessages);

    public int LegacyAuthMessages => Volatile.Read(ref _legacyAuthMessages);

    public int ListenMessages => Volatile.Read(ref _listenMessages);

    public int StreamConnections => Volatile.Read(ref _streamConnections);

    /// <summary>Stream connections that ended by an error or abort rather than a close handshake.</summary>
    public int BrokenStreams => Volatile.Read(ref _brokenStreams);

    /// <summary>Stream connections the client ended with a close handshake.</summary>
    public int ClosedStreams => Volatile.Read(ref _closedStreams);

    public int OrderCount
    {
        get
        {
            lock (_gate)
            {
                return _orders.Count(o => o.ParentId is null);
            }
        }
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<FakeAlpacaServer> StartAsync(bool binaryFrames = true)
    {
        var server = new FakeAlpacaServer(binaryFrames);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address);
        server.BaseUrl = new Uri($"http://127.0.0.1:{uri.Port}/");
        server.StreamUrl = new Uri($"ws://127.0.0.1:{uri.Port}/stream");
        server._app = app;
        return server;
    }

    public void AddFault(FakeFault fault)
    {
        lock (_gate)
        {
            _faults.Add(fault);
        }
    }

    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    public void RejectNext(string reason)
    {
        lock (_gate)
        {
            _rejectNextReason = reason;
        }
    }

    public void SetQuote(string symbol, decimal bid, decimal ask)
    {
        lock (_gate)
        {
            _quotes[symbol] = (bid, ask);
        }
    }

    public int CountOrders(string clientOrderId)
    {
        lock (_gate)
        {
            return _orders.Count(o => o.ClientOrderId == clientOrderId);
        }
    }

    /// <summary>The venue's id of the order placed with <paramref name="clientOrderId"/>, and its legs' ids (take-profit first).</summary>
    public (string OrderId, IReadOnlyList<string> LegIds) FindOrder(string clientOrderId)
    {
        lock (_gate)
        {
            var order = _orders.Single(o => o.ClientOrderId == clientOrderId);
            return (order.Id, [.. order.Legs.Select(l => l.Id)]);
        }
    }

    /// <summary>Places a working limit buy at the venue directly (as another tool on the key would), submitted at <paramref name="submittedAt"/>.</summary>
    public string AddWorkingOrder(string clientOrderId, string symbol, DateTimeOffset submittedAt)
    {
        lock (_gate)
        {
            var order = new FakeOrder
            {
                Id = Guid.NewGuid().ToString(),
                ClientOrderId = clientOrderId,
                Symbol = symbol,
                Side = "buy",
                Type = "limit",
                TimeInForce = "gtc",
                Qty = 1m,
                CreatedAt = submittedAt,
                UpdatedAt = submittedAt,
                LimitPrice = "10",
                Status = "new",
            };
            _orders.Add(order);
            return order.Id;
        }
    }

    /// <summary>Fills part or all of an order: updates it, books a FILL activity and position, pushes the event.</summary>
    public async Task FillAsync(string orderId, decimal quantity, decimal price, bool garbleEvent = false, bool omitFilledQty = false)
    {
        JsonObject message;
        var linked = new List<JsonObject>();
        lock (_gate)
        {
            var order = _orders.Single(o => o.Id == orderId);
            if (!order.IsOpen || quantity <= 0 || order.FilledQty + quantity > order.Qty)
            {
                throw new InvalidOperationException($"Order {orderId} cannot fill {quantity} in status {order.Status}.");
            }

            var now = TimeProvider.System.GetUtcNow();
            var before = order.FilledQty;
            order.FilledQty += quantity;
            order.FilledAvgPrice = ((order.FilledAvgPrice ?? 0m) * before + price * quantity) / order.FilledQty;
            order.Status = order.FilledQty == order.Qty ? "filled" : "partially_filled";
            order.UpdatedAt = now;
            var eventName = order.Status == "filled" ? "fill" : "partial_fill";
            var signed = order.Side == "buy" ? quantity : -quantity;
            var positionQty = ApplyPosition(order.Symbol, signed, price);
            _activities.Add(new JsonObject
            {
                ["id"] = $"{now.UtcDateTime:yyyyMMddHHmmssfff}::{Guid.NewGuid()}",
                ["activity_type"] = "FILL",
                ["transaction_time"] = Time(now),
                ["type"] = eventName,
                ["price"] = Num(price),
                ["qty"] = Num(quantity),
                ["cum_qty"] = Num(order.FilledQty),
                ["leaves_qty"] = Num(order.Qty - order.FilledQty),
                ["side"] = order.Side,
                ["symbol"] = order.Symbol,
                ["order_id"] = order.Id,
            });
            message = TradeUpdate(eventName, order, now);
            message["execution_id"] = Guid.NewGuid().ToString();
            message["price"] = garbleEvent ? "n/a" : Num(price);
            message["qty"] = Num(quantity);
            message["position_qty"] = Num(positionQty);
            if (omitFilledQty)
            {
                message["order"]!.AsObject().Remove("filled_qty");
            }

            if (order.Status == "filled")
            {
                // As Alpaca works a group: the entry's fill activates its held exits; an exit's fill cancels its sibling.
                var (activate, cancel) = order.ParentId is null
                    ? (order.Legs.Where(l => l.Status == "held").ToList(), new List<FakeOrder>())
                    : (new List<FakeOrder>(), _orders.Where(o => o.ParentId == order.ParentId && o.Id != order.Id && o.IsOpen).ToList());
                foreach (var leg in activate)
                {
                    (leg.Status, leg.UpdatedAt) = ("new", now);
                    linked.Add(TradeUpdate("new", leg, now));
                }

                foreach (var sibling in cancel)
                {
                    (sibling.Status, sibling.UpdatedAt) = ("canceled", now);
                    linked.Add(TradeUpdate("canceled", sibling, now));
                }
            }
        }

        await BroadcastAsync(message);
        foreach (var update in linked)
        {
            await BroadcastAsync(update);
        }
    }

    /// <summary>Pushes an arbitrary event about an order (status unchanged), for unknown-event handling tests.</summary>
    public async Task PushEventAsync(string eventName, string orderId)
    {
        JsonObject message;
        lock (_gate)
        {
            message = TradeUpdate(eventName, _orders.Single(o => o.Id == orderId), TimeProvider.System.GetUtcNow());
        }

        await BroadcastAsync(message);
    }

    /// <summary>Sets an order's raw Alpaca status, including values Alpaca has not documented.</summary>
    public void OverrideStatus(string orderId, string status)
    {
        lock (_gate)
        {
            _orders.Single(o => o.Id == orderId).Status = status;
        }
    }

    /// <summary>Sends <paramref name="value"/> as the order's <paramref name="field"/> from now on, e.g. order_class "mleg".</summary>
    public void SetRawField(string orderId, string field, string value)
    {
        lock (_gate)
        {
            _orders.Single(o => o.Id == orderId).RawFields[field] = value;
        }
    }

    /// <summary>
    /// A trade prints: every open trailing stop on the symbol moves its water mark (the high for a sell, the low for a buy)
    /// and its stop price the trail away from it, as Alpaca does. Triggering is not modeled; tests fill with FillAsync.
    /// </summary>
    public void Trade(string symbol, decimal price)
    {
        lock (_gate)
        {
            foreach (var order in _orders.Where(o => o.IsOpen && o.Type == "trailing_stop" && o.Symbol == symbol))
            {
                var sell = order.Side == "sell";
                var mark = order.Hwm is null ? price : sell ? Math.Max(Dec(order.Hwm), price) : Math.Min(Dec(order.Hwm), price);
                var level = order.TrailPrice is { } offset ? (sell ? mark - Dec(offset) : mark + Dec(offset))
                    : mark * (1m + ((sell ? -1m : 1m) * Dec(order.TrailPercent!) / 100m));
                (order.Hwm, order.StopPrice) = (Num(mark), Num(Math.Round(level, 2)));
            }
        }
    }

    /// <summary>Moves a trailing stop as Alpaca does on a new high (or low): its water mark and the stop price under it.</summary>
    public void MoveTrail(string orderId, string hwm, string stopPrice)
    {
        lock (_gate)
        {
            var order = _orders.Single(o => o.Id == orderId);
            (order.Hwm, order.StopPrice) = (hwm, stopPrice);
        }
    }

    /// <summary>Cancels an order at the venue (as an expiry or a venue cancel would), pushing the event.</summary>
    public async Task CancelAtVenueAsync(string orderId)
    {
        JsonObject message;
        lock (_gate)
        {
            var order = _orders.Single(o => o.Id == orderId);
            order.Status = "canceled";
            order.UpdatedAt = TimeProvider.System.GetUtcNow();
            message = TradeUpdate("canceled", order, order.UpdatedAt);
        }

        await BroadcastAsync(message);
    }

    public void DropStreamConnections()
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Socket.Abort();
            }

            _subscribers.Clear();
        }
    }

    public async Task WaitForListenersAsync(int listenMessages, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(WaitLimit.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            lock (_gate)
            {
                if (_listenMessages >= listenMessages && _subscribers.Count > 0)
                {
                    return;
                }
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"No trade_updates listener #{listenMessages} within {WaitLimit}.");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        DropStreamConnections();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _broadcast.Dispose();
        _stopping.Dispose();
    }

    private static string Num(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static decimal Dec(string value) => decimal.Parse(value, CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Error(long code, string message) => new() { ["code"] = code, ["message"] = message };

    private decimal ApplyPosition(string symbol, decimal signedQty, decimal price)
    {
        _positions.TryGetValue(symbol, out var position);
        var newQty = position.Qty + signedQty;
        decimal avg;
        if (position.Qty == 0 || Math.Sign(position.Qty) == Math.Sign(signedQty))
        {
            avg = (position.AvgEntry * Math.Abs(position.Qty) + price * Math.Abs(signedQty)) / Math.Abs(newQty);
        }
        else
        {
            avg = Math.Sign(newQty) == Math.Sign(position.Qty) ? position.AvgEntry : price;
        }

        if (newQty == 0)
        {
            _positions.Remove(symbol);
        }
        else
        {
            _positions[symbol] = (newQty, avg);
        }

        return newQty;
    }

    /// <summary>
    /// A trade_updates event. Its order is "the same as the order object that is returned from the REST API", whose legs
    /// are null unless it is read nested: a group's exits are not assumed to come with its events.
    /// </summary>
    private JsonObject TradeUpdate(string eventName, FakeOrder order, DateTimeOffset timestamp) => new()
    {
        ["event"] = eventName,
        ["timestamp"] = Time(timestamp),
        ["order"] = OrderJson(order, false),
    };

    private static JsonObject OrderJson(FakeOrder order, bool nested)
    {
        var json = new JsonObject
        {
            ["id"] = order.Id,
            ["client_order_id"] = order.ClientOrderId,
            ["created_at"] = Time(order.CreatedAt),
            ["updated_at"] = Time(order.UpdatedAt),
            ["submitted_at"] = Time(order.CreatedAt),
            ["filled_at"] = order.Status == "filled" ? Time(order.UpdatedAt) : null,
            ["replaced_by"] = order.ReplacedBy,
            ["replaces"] = order.Replaces,
            ["asset_class"] = "us_equity",
            ["symbol"] = order.Symbol,
            ["notional"] = null,
            ["qty"] = Num(order.Qty),
            ["filled_qty"] = Num(order.FilledQty),
            ["filled_avg_price"] = order.FilledAvgPrice is { } avg ? Num(avg) : null,
            ["order_class"] = order.OrderClass == "simple" ? string.Empty : order.OrderClass,
            ["order_type"] = order.Type,
            ["type"] = order.Type,
            ["side"] = order.Side,
            ["time_in_force"] = order.TimeInForce,
            ["limit_price"] = order.LimitPrice,
            ["stop_price"] = order.StopPrice,
            ["trail_price"] = order.TrailPrice,
            ["trail_percent"] = order.TrailPercent,
            ["hwm"] = order.Hwm,
            ["status"] = order.Status,
            ["extended_hours"] = order.ExtendedHours,
        };
        json["legs"] = nested && order.Legs.Count > 0 ? new JsonArray([.. order.Legs.Select(l => (JsonNode)OrderJson(l, false))]) : null;
        foreach (var (field, value) in order.RawFields)
        {
            json[field] = value;
        }

        return json;
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path == "/stream")
        {
            await HandleStreamAsync(context);
            return;
        }

        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var method = context.Request.Method;
        var path = context.Request.Path.Value ?? string.Empty;
        var query = context.Request.QueryString.Value ?? string.Empty;
        var key = context.Request.Headers["APCA-API-KEY-ID"].ToString();
        FakeFault? fault;
        lock (_gate)
        {
            _requests.Add(new RecordedRequest(method, path, query, body, Stopwatch.GetTimestamp(), key));
            fault = _faults.FirstOrDefault(f => f.Method == method && path.StartsWith(f.PathPrefix, StringComparison.Ordinal));
            if (fault is not null)
            {
                _faults.Remove(fault);
                if (fault.Times > 1)
                {
                    _faults.Add(fault with { Times = fault.Times - 1 });
                }
            }
        }

        if (key != KeyId || context.Request.Headers["APCA-API-SECRET-KEY"].ToString() != SecretKey)
        {
            await WriteAsync(context, 401, Error(40110000, "request is not authorized"));
            return;
        }

        switch (fault?.Kind)
        {
            case FakeFaultKind.Status:
                if (fault.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                }

                if (fault.Location is { } location)
                {
                    context.Response.Headers.Location = location;
                }

                if (fault.RateLimitResetUnixSeconds is { } reset)
                {
                    context.Response.Headers["X-Ratelimit-Limit"] = "200";
                    context.Response.Headers["X-Ratelimit-Remaining"] = "0";
                    context.Response.Headers["X-Ratelimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture);
                }

                await WriteAsync(context, fault.StatusCode, Error(fault.StatusCode * 100000L, fault.StatusCode == 429 ? "rate limit exceeded" : "internal server error"));
                return;
            case FakeFaultKind.Drop:
                context.Abort();
                return;
            case FakeFaultKind.DelayBeforeProcessing:
                await (fault.Gate ?? Task.Delay(fault.Delay, CancellationToken.None));
                break;
        }

        var (status, json, events) = Process(method, path, context.Request.Query, body);
        foreach (var message in events)
        {
            await BroadcastAsync(message);
        }

        switch (fault?.Kind)
        {
            case FakeFaultKind.AcceptThenDrop:
                context.Abort();
                return;
            case FakeFaultKind.AcceptThenGarbage:
                context.Response.StatusCode = 200;
                await context.Response.WriteAsync("{\"id\": \"trunc", context.RequestAborted);
                return;
            case FakeFaultKind.DelayAfterProcessing:
                await (fault.Gate ?? Task.Delay(fault.Delay, CancellationToken.None));
                break;
        }

        await WriteAsync(context, status, json);
    }

    private static async Task WriteAsync(HttpContext context, int status, JsonNode? json)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        context.Response.StatusCode = status;
        if (json is not null)
        {
            context.Response.ContentType = "application/json; charset=UTF-8";
            await context.Response.WriteAsync(json.ToJsonString(), context.RequestAborted);
        }
    }

    private (int Status, JsonNode? Json, List<JsonObject> Events) Process(string method, string path, IQueryCollection query, string body)
    {
        var events = new List<JsonObject>();
        lock (_gate)
        {
            var now = TimeProvider.System.GetUtcNow();
            const string orderPrefix = "/v2/orders/";
            (int, JsonNode?) result = (method, path) switch
            {
                ("GET", "/v2/account") => (200, new JsonObject
                {
                    ["id"] = "3f0b8c9e-8f41-4a7b-9c55-0d2b3c4e5f60",
                    ["account_number"] = AccountNumber,
                    ["status"] = "ACTIVE",
                    ["currency"] = "USD",
                    ["cash"] = "100000",
                    ["buying_power"] = "200000",
                    ["equity"] = "100000",
                    ["trading_blocked"] = false,
                }),
                ("POST", "/v2/orders") => Submit(body, now, events),
                ("GET", "/v2/orders") => ListOrders(query),
                ("DELETE", "/v2/orders") => CancelAll(now, events),
                // Alpaca rolls a group's legs up under it only when asked (nested=true); GET by client order id takes no
                // such parameter, so it answers a bracket, OCO or OTO with "legs": null.
                ("GET", "/v2/orders:by_client_order_id") => Find(o => o.ClientOrderId == query["client_order_id"].ToString(), nested: false),
                ("GET", _) when path.StartsWith(orderPrefix, StringComparison.Ordinal) =>
                    Find(o => o.Id == path[orderPrefix.Length..], nested: query["nested"].ToString() == "true"),
                ("DELETE", _) when path.StartsWith(orderPrefix, StringComparison.Ordinal) => Cancel(path[orderPrefix.Length..], now, events),
                ("PATCH", _) when path.StartsWith(orderPrefix, StringComparison.Ordinal) => Replace(path[orderPrefix.Length..], body, now, events),
                ("GET", "/v2/positions") => (200, new JsonArray([.. _positions.Select(p => (JsonNode)PositionJson(p.Key, p.Value.Qty, p.Value.AvgEntry))])),
                ("DELETE", _) when path.StartsWith("/v2/positions/", StringComparison.Ordinal) => ClosePosition(path["/v2/positions/".Length..], now, events),
                ("GET", "/v2/account/activities/FILL") => Activities(query),
                _ => (404, Error(40410000, "endpoint not found")),
            };
            return (result.Item1, result.Item2, events);
        }
    }

    private (int, JsonNode?) Find(Func<FakeOrder, bool> predicate, bool nested)
    {
        var order = _orders.FirstOrDefault(predicate);
        return order is null ? (404, Error(40410000, "order not found")) : (200, OrderJson(order, nested));
    }

    private (int, JsonNode?) Submit(string body, DateTimeOffset now, List<JsonObject> events)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        var clientOrderId = (string?)json["client_order_id"] ?? Guid.NewGuid().ToString();
        if (_orders.Any(o => o.ClientOrderId == clientOrderId))
        {
            return (422, Error(40010001, "client_order_id must be unique"));
        }

        if (_rejectNextReason is { } reason)
        {
            _rejectNextReason = null;
            return (403, Error(40310000, reason));
        }

        if (!decimal.TryParse((string?)json["qty"], NumberStyles.Number, CultureInfo.InvariantCulture, out var qty) || qty <= 0)
        {
            return (422, Error(40010001, "qty must be > 0"));
        }

        var type = (string?)json["type"] ?? string.Empty;
        if (type is "limit" or "stop_limit" && json["limit_price"] is null)
        {
            return (422, Error(40010001, "limit_price is required"));
        }

        // Alpaca documents extended_hours as working only with type limit and time_in_force day (the message is the fake's).
        if ((bool?)json["extended_hours"] == true && (type != "limit" || (string?)json["time_in_force"] != "day"))
        {
            return (422, Error(42210000, "extended_hours requires a limit day order"));
        }

        var order = new FakeOrder
        {
            Id = Guid.NewGuid().ToString(),
            ClientOrderId = clientOrderId,
            Symbol = (string?)json["symbol"] ?? string.Empty,
            Side = (string?)json["side"] ?? string.Empty,
            Type = type,
            TimeInForce = (string?)json["time_in_force"] ?? string.Empty,
            Qty = qty,
            CreatedAt = now,
            UpdatedAt = now,
            OrderClass = (string?)json["order_class"] ?? "simple",
            LimitPrice = (string?)json["limit_price"],
            StopPrice = (string?)json["stop_price"],
            TrailPrice = (string?)json["trail_price"],
            TrailPercent = (string?)json["trail_percent"],
            ExtendedHours = (bool?)json["extended_hours"] ?? false,
            Status = "new",
        };
        var exitSide = order.Side == "buy" ? "sell" : "buy";
        if (json["take_profit"] is JsonObject takeProfit)
        {
            order.Legs.Add(Leg(order, exitSide, "limit", (string?)takeProfit["limit_price"], null, now));
        }

        if (json["stop_loss"] is JsonObject stopLoss)
        {
            var stopLimit = (string?)stopLoss["limit_price"];
            order.Legs.Add(Leg(order, exitSide, stopLimit is null ? "stop" : "stop_limit", stopLimit, (string?)stopLoss["stop_price"], now));
        }

        _orders.Add(order);
        _orders.AddRange(order.Legs);
        events.Add(TradeUpdate("new", order, now));
        return (200, OrderJson(order, true));
    }

    private static FakeOrder Leg(FakeOrder parent, string side, string type, string? limit, string? stop, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid().ToString(),
        ClientOrderId = Guid.NewGuid().ToString(),
        Symbol = parent.Symbol,
        Side = side,
        Type = type,
        TimeInForce = parent.TimeInForce,
        Qty = parent.Qty,
        CreatedAt = now,
        UpdatedAt = now,
        OrderClass = parent.OrderClass,
        LimitPrice = limit,
        StopPrice = stop,
        Status = "held",
        ParentId = parent.Id,
    };

    /// <summary>
    /// GET /v2/orders as documented: at most 500 per call (default 50), <c>after</c>/<c>until</c> exclusive on the
    /// submission time, <c>direction</c> desc by default.
    /// </summary>
    private (int, JsonNode?) ListOrders(IQueryCollection query)
    {
        var status = query["status"].ToString() is { Length: > 0 } s ? s : "open";
        var nested = query["nested"].ToString() == "true";
        var limit = Math.Min(int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) ? l : 50, 500);
        IEnumerable<FakeOrder> selected = _orders
            .Where(o => !nested || o.ParentId is null)
            .Where(o => status == "all" || (status == "open") == o.IsOpen);
        if (query["after"].ToString() is { Length: > 0 } after)
        {
            var afterTime = DateTimeOffset.Parse(after, CultureInfo.InvariantCulture);
            selected = selected.Where(o => o.CreatedAt > afterTime);
        }

        if (query["until"].ToString() is { Length: > 0 } until)
        {
            var untilTime = DateTimeOffset.Parse(until, CultureInfo.InvariantCulture);
            selected = selected.Where(o => o.CreatedAt < untilTime);
        }

        selected = query["direction"].ToString() == "asc" ? selected.OrderBy(o => o.CreatedAt) : selected.OrderByDescending(o => o.CreatedAt);
        return (200, new JsonArray([.. selected.Take(limit).Select(o => (JsonNode)OrderJson(o, nested))]));
    }

    private (int, JsonNode?) Cancel(string id, DateTimeOffset now, List<JsonObject> events)
    {
        var order = _orders.FirstOrDefault(o => o.Id == id);
        if (order is null)
        {
            return (404, Error(40410000, "order not found"));
        }

        if (!order.IsOpen)
        {
            return (422, Error(42210000, "order is not cancelable"));
        }

        // As Alpaca documents for a bracket (and OCO and OTO work the same way): if any one of the orders is canceled, any
        // remaining open order in the group is canceled.
        var groupId = order.ParentId ?? order.Id;
        foreach (var member in _orders.Where(o => o == order || (o.IsOpen && (o.Id == groupId || o.ParentId == groupId))).ToList())
        {
            member.Status = "canceled";
            member.UpdatedAt = now;
            events.Add(TradeUpdate("canceled", member, now));
        }

        return (204, null);
    }

    private (int, JsonNode?) CancelAll(DateTimeOffset now, List<JsonObject> events)
    {
        var results = new JsonArray();
        foreach (var order in _orders.Where(o => o.IsOpen && o.ParentId is null).ToList())
        {
            order.Status = "canceled";
            order.UpdatedAt = now;
            events.Add(TradeUpdate("canceled", order, now));
            results.Add(new JsonObject { ["id"] = order.Id, ["status"] = 200, ["body"] = OrderJson(order, true) });
        }

        return (207, results);
    }

    private (int, JsonNode?) Replace(string id, string body, DateTimeOffset now, List<JsonObject> events)
    {
        var old = _orders.FirstOrDefault(o => o.Id == id);
        if (old is null)
        {
            return (404, Error(40410000, "order not found"));
        }

        if (!old.IsOpen)
        {
            return (422, Error(42210000, "order is not replaceable"));
        }

        var json = JsonNode.Parse(body)!.AsObject();
        if (old.ExtendedHours && json["time_in_force"] is { } timeInForce && (string?)timeInForce != "day")
        {
            return (422, Error(42210000, "extended_hours requires a limit day order"));
        }

        var replacement = new FakeOrder
        {
            Id = Guid.NewGuid().ToString(),
            ClientOrderId = (string?)json["client_order_id"] ?? Guid.NewGuid().ToString(),
            Symbol = old.Symbol,
            Side = old.Side,
            Type = old.Type,
            TimeInForce = (string?)json["time_in_force"] ?? old.TimeInForce,
            Qty = json["qty"] is { } q ? decimal.Parse((string)q!, CultureInfo.InvariantCulture) : old.Qty,
            CreatedAt = now,
            UpdatedAt = now,
            LimitPrice = (string?)json["limit_price"] ?? old.LimitPrice,
            StopPrice = (string?)json["stop_price"] ?? old.StopPrice,

            // Alpaca's `trail` is the new value of whichever trail the order has.
            TrailPrice = old.TrailPrice is null ? null : (string?)json["trail"] ?? old.TrailPrice,
            TrailPercent = old.TrailPercent is null ? null : (string?)json["trail"] ?? old.TrailPercent,
            Status = "new",
            Replaces = old.Id,
        };
        old.Status = "replaced";
        old.ReplacedBy = replacement.Id;
        old.UpdatedAt = now;
        _orders.Add(replacement);
        events.Add(TradeUpdate("replaced", old, now));
        events.Add(TradeUpdate("new", replacement, now));
        return (200, OrderJson(replacement, true));
    }

    private (int, JsonNode?) ClosePosition(string symbol, DateTimeOffset now, List<JsonObject> events)
    {
        if (!_positions.TryGetValue(symbol, out var position))
        {
            return (404, Error(40410000, "position does not exist"));
        }

        var order = new FakeOrder
        {
            Id = Guid.NewGuid().ToString(),
            ClientOrderId = Guid.NewGuid().ToString(),
            Symbol = symbol,
            Side = position.Qty > 0 ? "sell" : "buy",
            Type = "market",
            TimeInForce = "day",
            Qty = Math.Abs(position.Qty),
            CreatedAt = now,
            UpdatedAt = now,
            Status = "accepted",
        };
        _orders.Add(order);
        events.Add(TradeUpdate("new", order, now));
        return (200, OrderJson(order, true));
    }

    private static JsonObject PositionJson(string symbol, decimal qty, decimal avgEntry) => new()
    {
        ["asset_class"] = "us_equity",
        ["symbol"] = symbol,
        ["qty"] = Num(qty),
        ["side"] = qty < 0 ? "short" : "long",
        ["avg_entry_price"] = Num(avgEntry),
    };

    private (int, JsonNode?) Activities(IQueryCollection query)
    {
        IEnumerable<JsonObject> selected = _activities;
        if (query["after"].ToString() is { Length: > 0 } after)
        {
            var afterTime = DateTimeOffset.Parse(after, CultureInfo.InvariantCulture);
            selected = selected.Where(a => DateTimeOffset.Parse((string)a["transaction_time"]!, CultureInfo.InvariantCulture) > afterTime);
        }

        if (query["direction"].ToString() == "desc")
        {
            selected = selected.Reverse();
        }

        var list = selected.ToList();
        if (query["page_token"].ToString() is { Length: > 0 } token)
        {
            var index = list.FindIndex(a => (string?)a["id"] == token);
            list = index < 0 ? [] : list[(index + 1)..];
        }

        var pageSize = int.TryParse(query["page_size"], CultureInfo.InvariantCulture, out var size) ? size : 100;
        return (200, new JsonArray([.. list.Take(pageSize).Select(a => a.DeepClone())]));
    }

    private async Task HandleStreamAsync(HttpContext context)
    {
        if (RejectStreamConnections || !context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = RejectStreamConnections ? 503 : 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref _streamConnections);
        var subscriber = new FakeSubscriber(socket, _binaryFrames);
        var authorized = false;
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        // Answer the client's close, as a server does, completing the handshake.
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                        Interlocked.Increment(ref _closedStreams);
                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                var json = JsonNode.Parse(message.ToArray())!.AsObject();
                switch ((string?)json["action"])
                {
                    case "auth":
                        Interlocked.Increment(ref _authMessages);
                        if (Take(ref _ignoreNextAuths))
                        {
                            break;
                        }

                        authorized = (string?)json["key"] == KeyId && (string?)json["secret"] == SecretKey;
                        await subscriber.SendAsync(Authorization(authorized));
                        break;
                    case "authenticate":
                        Interlocked.Increment(ref _legacyAuthMessages);
                        authorized = (string?)json["data"]?["key_id"] == KeyId && (string?)json["data"]?["secret_key"] == SecretKey;
                        await subscriber.SendAsync(Authorization(authorized));
                        break;
                    case "listen" when authorized:
                        Interlocked.Increment(ref _listenMessages);
                        await subscriber.SendAsync(new JsonObject
                        {
                            ["stream"] = "listening",
                            ["data"] = new JsonObject { ["streams"] = new JsonArray("trade_updates") },
                        });
                        if (Take(ref _closeNextStreams))
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "displaced", context.RequestAborted);
                            return;
                        }

                        if (Take(ref _stallNextStreams))
                        {
                            using var stalled = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
                            await Task.Delay(Timeout.Infinite, stalled.Token);
                        }

                        lock (_gate)
                        {
                            _subscribers.Add(subscriber);
                        }

                        break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away or the test dropped the socket; the subscriber is removed below.
            Interlocked.Increment(ref _brokenStreams);
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(subscriber);
            }
        }
    }

    private static bool Take(ref int counter)
    {
        while (Volatile.Read(ref counter) is var left and > 0)
        {
            if (Interlocked.CompareExchange(ref counter, left - 1, left) == left)
            {
                return true;
            }
        }

        return false;
    }

    private static JsonObject Authorization(bool authorized) => new()
    {
        ["stream"] = "authorization",
        ["data"] = new JsonObject { ["status"] = authorized ? "authorized" : "unauthorized", ["action"] = "authenticate" },
    };

    private async Task BroadcastAsync(JsonObject data)
    {
        var envelope = new JsonObject { ["stream"] = "trade_updates", ["data"] = data };
        await _broadcast.WaitAsync();
        try
        {
            FakeSubscriber[] targets;
            lock (_gate)
            {
                targets = [.. _subscribers];
            }

            foreach (var target in targets)
            {
                await target.SendAsync(envelope);
            }
        }
        finally
        {
            _broadcast.Release();
        }
    }
}
