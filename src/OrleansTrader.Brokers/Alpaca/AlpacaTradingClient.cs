using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Alpaca.Json;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Orders;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>
/// <see cref="IBrokerClient"/> over Alpaca's Trading API v2. One instance per API key: it owns the key's rate
/// limiter, circuit breaker and its single trade_updates connection.
/// </summary>
public sealed class AlpacaTradingClient : IBrokerClient, IDisposable, IAsyncDisposable
{
    /// <summary>The IHttpClientFactory name; its BaseAddress and key headers are set by <c>AddAlpacaBroker</c>.</summary>
    public const string HttpClientName = "alpaca-trading";

    private const int ActivityPageSize = 100;
    private const int MaxOrdersPerPage = 500;
    private const int MaxErrorMessageLength = 300;
    private const int MaxWarnedUnsupportedOrders = 10_000;
    private const int MaxRememberedOrdersWithoutLegs = 10_000;

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly AlpacaResilience _resilience;
    private readonly AlpacaTradeUpdatesStream _stream;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte> _warnedUnsupportedOrders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _ordersWithoutLegs = new(StringComparer.Ordinal);
    private long _unsupportedOrdersLeftOut;

    public AlpacaTradingClient(
        IHttpClientFactory httpClientFactory,
        IOptions<AlpacaOptions> options,
        IEnumerable<IBrokerHealthListener> healthListeners,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _httpClientFactory = httpClientFactory;
        _logger = loggerFactory.CreateLogger<AlpacaTradingClient>();
        var listeners = healthListeners.ToArray();
        _resilience = new AlpacaResilience(options.Value, Name, listeners, timeProvider, _logger);
        _stream = new AlpacaTradeUpdatesStream(options.Value, this, listeners, timeProvider, loggerFactory.CreateLogger<AlpacaTradeUpdatesStream>());
    }

    public string Name => "alpaca";

    /// <summary>
    /// How many times an order this adapter cannot model (<see cref="AlpacaUnsupportedOrderException"/>) was left out of a
    /// list, a fill back-fill or the trade_updates stream. Each such order is logged once (event 4118).
    /// </summary>
    public long UnsupportedOrdersLeftOut => Interlocked.Read(ref _unsupportedOrdersLeftOut);

    public DomainError? CheckOrderShape(OrderRequest request) => AlpacaOrderRules.Check(request);

    public async Task<BrokerOrder> SubmitOrderAsync(OrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        AlpacaLog.Submitting(_logger, request.ClientOrderId, request.Side, request.Quantity, request.Symbol);
        var body = JsonSerializer.SerializeToUtf8Bytes(AlpacaMapper.ToJson(request), AlpacaJsonContext.Default.AlpacaNewOrderJson);

        // The account awaits this in its turn: the submit and its look-ups end within SubmitTimeout, under the grain call timeout.
        var started = _resilience.StartOrderCall();
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(AlpacaRequestKind.Submit, HttpMethod.Post, "v2/orders", body, cancellationToken, orderCallStarted: started);
        }
        catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.OutcomeUnknown)
        {
            AlpacaLog.SubmitAmbiguous(_logger, request.ClientOrderId, request.Symbol, ex.Message);
            return await ResolveSubmitAsync(request, ex, started, cancellationToken);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return await ReadAcceptedOrderAsync(response, cancellationToken);
            }

            if (response.StatusCode == HttpStatusCode.UnprocessableEntity && await FindRefusedSubmitAsync(request, started, cancellationToken) is { } existing)
            {
                // Alpaca refuses a repeated client_order_id with 422; the contract answers a repeat with the existing order.
                return existing;
            }

            var failure = await ToExceptionAsync(response, "submit", AlpacaRequestKind.Submit, cancellationToken);
            if (failure.Kind == BrokerErrorKind.OutcomeUnknown)
            {
                // A 5xx from a proxy may have reached the order service, and the order may show only later: not found is not unsent.
                AlpacaLog.SubmitAmbiguous(_logger, request.ClientOrderId, request.Symbol, failure.Message);
                return await ResolveSubmitAsync(request, failure, started, cancellationToken);
            }

            throw failure;
        }
    }

    public async Task<BrokerOrder> ReplaceOrderAsync(string orderId, OrderReplacement replacement, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        ArgumentNullException.ThrowIfNull(replacement);

        // Awaited in the account's turn as a submit is: the read below, the replace and its look-ups end within SubmitTimeout.
        var started = _resilience.StartOrderCall();
        if (replacement.TrailPrice is not null || replacement.TrailPercent is not null)
        {
            // Alpaca's replace takes one `trail` and applies it to the kind the order already trails by: a trail percent
            // sent for an order that trails by price would become a trail of that many dollars. Read once, as a look-up
            // (retries and their Retry-After waits would run past the budget), leaving the PATCH its time after it.
            BrokerOrder? current;
            try
            {
                current = await GetOrderAsync(orderId, AlpacaRequestKind.Resolve, cancellationToken, started, requestsAfter: 1);
            }
            catch (BrokerException ex) when (ex.Kind is BrokerErrorKind.Unavailable or BrokerErrorKind.RateLimited)
            {
                // The PATCH never went: the account rejects the replace with this reason and the order works on unchanged.
                throw new BrokerException(ex.Kind, $"The replace of order {orderId} was not sent: the read of the order before it failed. {ex.Message}", ex)
                {
                    RetryAfter = ex.RetryAfter,
                };
            }

            if (current is null)
            {
                throw new BrokerException(BrokerErrorKind.NotFound, $"Alpaca has no order {orderId}.");
            }

            if (current.Type == OrderType.TrailingStop
                && ((replacement.TrailPrice is not null && current.TrailPrice is null) || (replacement.TrailPercent is not null && current.TrailPercent is null)))
            {
                throw new BrokerException(BrokerErrorKind.Rejected,
                    $"TRAIL_KIND_NOT_REPLACEABLE: order {orderId} trails by {(current.TrailPrice is null ? "percent" : "price")}; Alpaca replaces the trail's value, not its kind (cancel and place a new order).");
            }
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(AlpacaMapper.ToJson(replacement), AlpacaJsonContext.Default.AlpacaReplaceOrderJson);
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(AlpacaRequestKind.Submit, HttpMethod.Patch, OrderPath(orderId), body, cancellationToken, orderCallStarted: started);
        }
        catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.OutcomeUnknown)
        {
            AlpacaLog.ReplaceAmbiguous(_logger, orderId, ex.Message);
            return await ResolveReplaceAsync(orderId, replacement, ex, started, cancellationToken);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return await ReadAcceptedOrderAsync(response, cancellationToken);
            }

            var failure = await ToExceptionAsync(response, "replace", AlpacaRequestKind.Submit, cancellationToken);
            if (failure.Kind == BrokerErrorKind.OutcomeUnknown)
            {
                // A 5xx may have come from a proxy after the order service replaced the order: look as for a lost answer.
                AlpacaLog.ReplaceAmbiguous(_logger, orderId, failure.Message);
                return await ResolveReplaceAsync(orderId, replacement, failure, started, cancellationToken);
            }

            throw failure;
        }
    }

    public async Task<BrokerOrder> CancelOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        var attempts = new AlpacaAttempts();
        using (var response = await SendAsync(AlpacaRequestKind.IdempotentWrite, HttpMethod.Delete, OrderPath(orderId), null, cancellationToken, attempts))
        {
            if (!response.IsSuccessStatusCode)
            {
                var failure = await ToExceptionAsync(response, "cancel", AlpacaRequestKind.IdempotentWrite, cancellationToken);

                // A retried cancel answered 422: an earlier attempt whose answer was lost may have canceled it already. The
                // order as read says which; not canceled (filled, say), the refusal stands.
                if (response.StatusCode == HttpStatusCode.UnprocessableEntity && attempts.Count > 1)
                {
                    return await ReadAfterCancelAsync(orderId, "whether an earlier attempt canceled it could not be read", cancellationToken)
                        is { Status: OrderStatus.Canceled or OrderStatus.PendingCancel } canceled ? canceled : throw failure;
                }

                // A last answer that says "nothing done" (429, 404) speaks only for the last attempt.
                if (attempts.MayHaveActed && failure.Kind != BrokerErrorKind.OutcomeUnknown)
                {
                    throw new BrokerException(BrokerErrorKind.OutcomeUnknown,
                        $"The cancel of order {orderId} failed on a retry ({failure.Message}) after an earlier attempt that may have canceled it.", failure);
                }

                throw failure;
            }
        }

        return await ReadAfterCancelAsync(orderId, "Alpaca accepted the cancel but the order could not be read", cancellationToken)
            ?? throw new BrokerException(BrokerErrorKind.OutcomeUnknown, $"Alpaca accepted the cancel of order {orderId}, which it no longer shows.");
    }

    /// <summary>The order after a cancel that may have gone through: a read that fails leaves the cancel's outcome unknown, never unsent.</summary>
    private async Task<BrokerOrder?> ReadAfterCancelAsync(string orderId, string whatIsUnknown, CancellationToken cancellationToken)
    {
        try
        {
            return await GetOrderAsync(orderId, cancellationToken);
        }
        catch (BrokerException ex) when (ex.Kind != BrokerErrorKind.OutcomeUnknown)
        {
            throw new BrokerException(BrokerErrorKind.OutcomeUnknown, $"The cancel of order {orderId}: {whatIsUnknown} ({ex.Message}).", ex);
        }
    }

    public Task<BrokerOrder?> GetOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        return GetOrderAsync(orderId, AlpacaRequestKind.Read, cancellationToken);
    }

    /// <summary>
    /// GET /v2/orders:by_client_order_id. Alpaca rolls a group's legs up under it only when asked with nested=true, which
    /// this endpoint does not take: a bracket, OCO or OTO found here comes without its exits, so it is read again by id
    /// with its legs. This is how a lost submit is resolved, and the account adopts the exits from that answer.
    /// </summary>
    public Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientOrderId);
        return GetOrderByClientOrderIdAsync(clientOrderId, AlpacaRequestKind.Read, cancellationToken);
    }

    private async Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, AlpacaRequestKind kind, CancellationToken cancellationToken, long? orderCallStarted = null)
    {
        var order = await GetOptionalOrderAsync(
            "v2/orders:by_client_order_id?client_order_id=" + Uri.EscapeDataString(clientOrderId), "get order by client order id", kind, cancellationToken, orderCallStarted);
        if (order is not { OrderClass: not OrderClass.Simple, Legs.Count: 0 } || _ordersWithoutLegs.ContainsKey(order.OrderId))
        {
            return order;
        }

        // A group's exit carries the group's class but has no legs of its own: remembered, it is not read twice.
        var nested = await GetOrderAsync(order.OrderId, kind, cancellationToken, orderCallStarted) ?? order;
        if (nested.Legs.Count == 0 && _ordersWithoutLegs.Count < MaxRememberedOrdersWithoutLegs)
        {
            _ordersWithoutLegs.TryAdd(nested.OrderId, 0);
        }

        return nested;
    }

    /// <summary>
    /// Every open order. Alpaca answers at most <see cref="MaxOrdersPerPage"/> orders a call, newest first, so this pages
    /// back with <c>until</c> (exclusive, on the submit time) until a page comes back short.
    /// </summary>
    public Task<IReadOnlyList<BrokerOrder>> ListOpenOrdersAsync(CancellationToken cancellationToken = default) =>
        ListEveryOrderAsync("open", null, cancellationToken);

    /// <summary>
    /// Every order in <paramref name="status"/> (open, closed or all) submitted after <paramref name="after"/> (exclusive),
    /// with legs nested, paged as <see cref="ListOpenOrdersAsync"/> describes.
    /// </summary>
    internal async Task<IReadOnlyList<BrokerOrder>> ListEveryOrderAsync(string status, DateTimeOffset? after, CancellationToken cancellationToken)
    {
        var result = new List<BrokerOrder>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? until = null;
        while (true)
        {
            var page = await GetJsonAsync(OrdersPath(status, MaxOrdersPerPage, after, until, true), AlpacaJsonContext.Default.ListAlpacaOrderJson, "list orders", cancellationToken);
            var added = 0;
            foreach (var json in page)
            {
                // An order left out still counts as read: a page of only such orders must not end the paging.
                if (json.Id is { } id && !seen.Add(id))
                {
                    continue;
                }

                added++;
                if (ReadListed(json, "order list") is { } order)
                {
                    result.Add(order);
                }
            }

            // A page with nothing new means more than a page of orders share one millisecond: the time paging cannot go on.
            if (page.Count < MaxOrdersPerPage || added == 0 || (page[^1].SubmittedAt ?? page[^1].CreatedAt) is not { } oldest)
            {
                return result;
            }

            // Orders submitted in the same instant as the page's oldest may be cut off by the page: ask up to a millisecond
            // past it (until is exclusive and sent to the millisecond) and skip the ones already read.
            until = oldest.AddMilliseconds(1);
        }
    }

    /// <summary>GET /v2/orders, one call. <paramref name="status"/> is open, closed or all; Alpaca caps <paramref name="limit"/> at 500.</summary>
    public async Task<IReadOnlyList<BrokerOrder>> ListOrdersAsync(
        string status, int limit, DateTimeOffset? after, DateTimeOffset? until, bool nested, CancellationToken cancellationToken = default)
    {
        var orders = await GetJsonAsync(OrdersPath(status, limit, after, until, nested), AlpacaJsonContext.Default.ListAlpacaOrderJson, "list orders", cancellationToken);
        return [.. orders.Select(o => ReadListed(o, "order list")).OfType<BrokerOrder>()];
    }

    public async Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
    {
        var positions = await GetJsonAsync("v2/positions", AlpacaJsonContext.Default.ListAlpacaPositionJson, "positions", cancellationToken);
        return Readable(() => positions.Select(AlpacaMapper.ToBrokerPosition).ToList());
    }

    public async Task<IReadOnlyList<Execution>> GetExecutionsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var fills = await GetFillsSinceAsync(since, cancellationToken);
        return [.. fills.Select(f => f.Execution)];
    }

    public IAsyncEnumerable<ExecutionReport> StreamExecutionReportsAsync(CancellationToken cancellationToken = default) =>
        _stream.ReadAllAsync(cancellationToken);

    /// <summary>GET /v2/account: a cheap call that proves the key works; used by the health check.</summary>
    public async Task<AlpacaAccount> GetAccountAsync(CancellationToken cancellationToken = default) =>
        Readable(AlpacaMapper.ToAccount, await GetJsonAsync("v2/account", AlpacaJsonContext.Default.AlpacaAccountJson, "account", cancellationToken));

    /// <summary>DELETE /v2/orders: asks Alpaca to cancel every open order; returns the ids it accepted to cancel.</summary>
    public async Task<IReadOnlyList<string>> CancelAllOrdersAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(AlpacaRequestKind.IdempotentWrite, HttpMethod.Delete, "v2/orders", null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, "cancel all", AlpacaRequestKind.IdempotentWrite, cancellationToken);
        }

        var results = await ReadJsonAsync(response, AlpacaJsonContext.Default.ListAlpacaCancelResultJson, cancellationToken);
        return [.. results.Where(r => r.Id is not null && r.Status is >= 200 and < 300).Select(r => r.Id!)];
    }

    /// <summary>
    /// DELETE /v2/positions/{symbol}: liquidates the position with a market order, which is returned. Never retried: each
    /// attempt places an order, so a lost or unreadable answer is reported as <see cref="BrokerErrorKind.OutcomeUnknown"/>.
    /// </summary>
    public async Task<BrokerOrder> ClosePositionAsync(string symbol, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        using var response = await SendAsync(AlpacaRequestKind.Submit, HttpMethod.Delete, "v2/positions/" + Uri.EscapeDataString(symbol), null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, "close position", AlpacaRequestKind.Submit, cancellationToken);
        }

        return await ReadAcceptedOrderAsync(response, cancellationToken);
    }

    internal AlpacaResilience Resilience => _resilience;

    public void Dispose() => _resilience.Dispose();

    public async ValueTask DisposeAsync() => await _resilience.DisposeAsync();

    /// <summary>Fills since a time with each fill's cumulative order quantity, oldest first (the stream needs both).</summary>
    internal async Task<IReadOnlyList<(Execution Execution, decimal CumulativeQuantity)>> GetFillsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var result = new List<(Execution, decimal)>();
        // Null: the order is one this adapter cannot model, and its fills are left out with it.
        var clientOrderIds = new Dictionary<string, string?>(StringComparer.Ordinal);

        // Alpaca's "after" is exclusive; ask from a millisecond earlier and filter, so "at or after" holds.
        var after = Uri.EscapeDataString(FormatTime(since.AddMilliseconds(-1)));
        string? pageToken = null;
        while (true)
        {
            var path = $"v2/account/activities/FILL?direction=asc&page_size={ActivityPageSize}&after={after}"
                       + (pageToken is null ? string.Empty : "&page_token=" + Uri.EscapeDataString(pageToken));
            var page = await GetJsonAsync(path, AlpacaJsonContext.Default.ListAlpacaFillActivityJson, "fill activities", cancellationToken);
            foreach (var activity in page)
            {
                if (activity.TransactionTime is not { } time || time < since || activity.OrderId is not { } orderId)
                {
                    continue;
                }

                if (!clientOrderIds.TryGetValue(orderId, out var clientOrderId))
                {
                    // FILL activities do not carry the client order id; the order does.
                    try
                    {
                        clientOrderId = (await GetOrderAsync(orderId, cancellationToken))?.ClientOrderId ?? string.Empty;
                    }
                    catch (BrokerException ex) when (ex.InnerException is AlpacaUnsupportedOrderException unsupported)
                    {
                        LeaveOut(unsupported, "fill activities");
                        clientOrderId = null;
                    }

                    clientOrderIds[orderId] = clientOrderId;
                }

                if (clientOrderId is null)
                {
                    continue;
                }

                result.Add(Readable(() => (AlpacaMapper.ToExecution(activity, clientOrderId), AlpacaMapper.ParseDecimal(activity.CumQty, "cum_qty"))));
            }

            if (page.Count < ActivityPageSize || page[^1].Id is not { } last)
            {
                return result;
            }

            pageToken = last;
        }
    }

    /// <summary>Counts, and logs once per order, an order left out because this adapter cannot model it.</summary>
    internal void LeaveOut(AlpacaUnsupportedOrderException unsupported, string source)
    {
        Interlocked.Increment(ref _unsupportedOrdersLeftOut);

        // Every reconciliation and every reconnect's catch-up meets the order again: one warning per order is enough.
        var firstTime = _warnedUnsupportedOrders.Count < MaxWarnedUnsupportedOrders
            ? _warnedUnsupportedOrders.TryAdd(unsupported.OrderId, 0)
            : !_warnedUnsupportedOrders.ContainsKey(unsupported.OrderId);
        if (firstTime)
        {
            AlpacaLog.UnsupportedOrderLeftOut(_logger, unsupported.OrderId, unsupported.ClientOrderId, unsupported.Symbol, unsupported.Field, unsupported.Value, source);
        }
    }

    /// <summary>A listed order, or null when it is one this adapter cannot model: that one must not make the others unreadable.</summary>
    private BrokerOrder? ReadListed(AlpacaOrderJson json, string source)
    {
        try
        {
            return Readable(() => AlpacaMapper.ToBrokerOrder(json, _logger));
        }
        catch (BrokerException ex) when (ex.InnerException is AlpacaUnsupportedOrderException unsupported)
        {
            LeaveOut(unsupported, source);
            return null;
        }
    }

    private static string OrderPath(string orderId) => "v2/orders/" + Uri.EscapeDataString(orderId);

    private static string OrdersPath(string status, int limit, DateTimeOffset? after, DateTimeOffset? until, bool nested)
    {
        var query = new List<string>
        {
            "status=" + Uri.EscapeDataString(status),
            "limit=" + limit.ToString(CultureInfo.InvariantCulture),
            "direction=desc",
            "nested=" + (nested ? "true" : "false"),
        };
        if (after is { } a)
        {
            query.Add("after=" + Uri.EscapeDataString(FormatTime(a)));
        }

        if (until is { } u)
        {
            query.Add("until=" + Uri.EscapeDataString(FormatTime(u)));
        }

        return "v2/orders?" + string.Join('&', query);
    }

    private static string FormatTime(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task<BrokerOrder> ResolveSubmitAsync(
        OrderRequest request, BrokerException failure, long submitStarted, CancellationToken cancellationToken)
    {
        BrokerOrder? found;
        try
        {
            found = await GetOrderByClientOrderIdAsync(request.ClientOrderId, AlpacaRequestKind.Resolve, cancellationToken, submitStarted);
        }
        catch (BrokerException lookupFailure)
        {
            AlpacaLog.SubmitUnknown(_logger, request.ClientOrderId, request.Symbol);
            throw new BrokerException(BrokerErrorKind.OutcomeUnknown, "The order submit got no clear answer (a timeout, a cut connection or a server error) and the order could not be looked up; keep it in flight.", lookupFailure);
        }

        if (found is not null)
        {
            AlpacaLog.SubmitResolved(_logger, request.ClientOrderId, request.Symbol, found.OrderId);
            return found;
        }

        AlpacaLog.SubmitUnknown(_logger, request.ClientOrderId, request.Symbol);
        throw new BrokerException(BrokerErrorKind.OutcomeUnknown, "The order submit got no clear answer (a timeout, a cut connection or a server error) and Alpaca does not show the order yet; keep it in flight.", failure);
    }

    /// <summary>
    /// A 422 is a rejection, or the refusal of a repeat whose first submit Alpaca has: only the lookup tells which. A lookup
    /// that fails (rate limited, unavailable) leaves it unknown, not rejected: taken as a rejection, an order working at
    /// Alpaca would be dropped by the account (its reservation released, its fills unexpected).
    /// </summary>
    private async Task<BrokerOrder?> FindRefusedSubmitAsync(OrderRequest request, long submitStarted, CancellationToken cancellationToken)
    {
        try
        {
            return await GetOrderByClientOrderIdAsync(request.ClientOrderId, AlpacaRequestKind.Resolve, cancellationToken, submitStarted);
        }
        catch (BrokerException lookupFailure)
        {
            AlpacaLog.SubmitUnknown(_logger, request.ClientOrderId, request.Symbol);
            throw new BrokerException(BrokerErrorKind.OutcomeUnknown,
                "Alpaca refused the submit with 422 and whether it already has an order with this client order id could not be looked up; keep it in flight.",
                lookupFailure);
        }
    }

    /// <summary>
    /// Looks a replace whose answer was lost up, within the replace's <see cref="AlpacaOptions.SubmitTimeout"/>: a look-up that
    /// has no time left fails (RateLimited, unsent) as one that fails otherwise does, leaving the outcome unknown.
    /// </summary>
    private async Task<BrokerOrder> ResolveReplaceAsync(
        string orderId, OrderReplacement replacement, BrokerException failure, long orderCallStarted, CancellationToken cancellationToken)
    {
        try
        {
            if (await GetOrderAsync(orderId, AlpacaRequestKind.Resolve, cancellationToken, orderCallStarted) is { ReplacedByOrderId: { } newId }
                && await GetOrderAsync(newId, AlpacaRequestKind.Resolve, cancellationToken, orderCallStarted) is { } replaced)
            {
                return replaced;
            }

            if (replacement.ClientOrderId is { } clientOrderId
                && await GetOrderByClientOrderIdAsync(clientOrderId, AlpacaRequestKind.Resolve, cancellationToken, orderCallStarted) is { } byClientId)
            {
                return byClientId;
            }
        }
        catch (BrokerException lookupFailure)
        {
            throw new BrokerException(BrokerErrorKind.OutcomeUnknown, "The replace got no clear answer (a timeout, a cut connection or a server error) and could not be looked up.", lookupFailure);
        }

        throw new BrokerException(BrokerErrorKind.OutcomeUnknown, "The replace got no clear answer (a timeout, a cut connection or a server error) and Alpaca does not show a replacement yet.", failure);
    }

    private Task<BrokerOrder?> GetOrderAsync(
        string orderId, AlpacaRequestKind kind, CancellationToken cancellationToken, long? orderCallStarted = null, int requestsAfter = 0) =>
        GetOptionalOrderAsync(OrderPath(orderId) + "?nested=true", "get order", kind, cancellationToken, orderCallStarted, requestsAfter);

    private async Task<BrokerOrder?> GetOptionalOrderAsync(
        string path, string operation, AlpacaRequestKind kind, CancellationToken cancellationToken, long? orderCallStarted = null, int requestsAfter = 0)
    {
        using var response = await SendAsync(kind, HttpMethod.Get, path, null, cancellationToken, orderCallStarted: orderCallStarted, requestsAfter: requestsAfter);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, operation, kind, cancellationToken);
        }

        return await ReadOrderAsync(response, cancellationToken);
    }

    private async Task<T> GetJsonAsync<T>(string path, JsonTypeInfo<T> typeInfo, string operation, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(AlpacaRequestKind.Read, HttpMethod.Get, path, null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, operation, AlpacaRequestKind.Read, cancellationToken);
        }

        return await ReadJsonAsync(response, typeInfo, cancellationToken);
    }

    private async Task<BrokerOrder> ReadOrderAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var json = await ReadJsonAsync(response, AlpacaJsonContext.Default.AlpacaOrderJson, cancellationToken);
        return Readable(() => AlpacaMapper.ToBrokerOrder(json, _logger));
    }

    /// <summary>A 2xx answer to a submit, replace or position close means the venue acted; if it cannot be read, the outcome is unknown.</summary>
    private async Task<BrokerOrder> ReadAcceptedOrderAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadOrderAsync(response, cancellationToken);
        }
        catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.Unavailable || ex.InnerException is AlpacaUnsupportedOrderException)
        {
            throw new BrokerException(BrokerErrorKind.OutcomeUnknown, "Alpaca accepted the request but its answer could not be read; keep the order in flight.", ex);
        }
    }

    private static T Readable<T>(Func<T> map)
    {
        try
        {
            return map();
        }
        catch (AlpacaUnsupportedOrderException ex)
        {
            // Not transient: asking again gets the same order. Only an order this backend did not place can be one.
            throw new BrokerException(BrokerErrorKind.Rejected, ex.Message, ex);
        }
        catch (FormatException ex)
        {
            throw new BrokerException(BrokerErrorKind.Unavailable, "Alpaca sent data this adapter cannot read: " + ex.Message, ex);
        }
    }

    private static TResult Readable<TSource, TResult>(Func<TSource, TResult> map, TSource source) => Readable(() => map(source));

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using (stream)
            {
                return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken)
                       ?? throw new BrokerException(BrokerErrorKind.Unavailable, "Alpaca answered with an empty body.");
            }
        }
        catch (JsonException ex)
        {
            throw new BrokerException(BrokerErrorKind.Unavailable, "Alpaca answered with malformed JSON.", ex);
        }
    }

    /// <summary>
    /// One call through its pipeline. <paramref name="orderCallStarted"/> is given for an order submit or replace and the
    /// reads inside it: their permit waits are cut short so that this request and those after it (one look-up after the
    /// submit or replace itself, else <paramref name="requestsAfter"/>) still fit in SubmitTimeout.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(
        AlpacaRequestKind kind, HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken, AlpacaAttempts? attempts = null,
        long? orderCallStarted = null, int requestsAfter = 0)
    {
        var pipeline = kind is AlpacaRequestKind.Submit or AlpacaRequestKind.Resolve ? _resilience.Guarded : _resilience.Retrying;
        var client = _httpClientFactory.CreateClient(HttpClientName);
        try
        {
            return await pipeline.ExecuteAsync(
                async token =>
                {
                    await _resilience.AcquirePermitAsync(
                        _resilience.PermitWait(orderCallStarted, kind == AlpacaRequestKind.Submit ? 1 : requestsAfter), token);
                    if (attempts is not null)
                    {
                        attempts.Count++;
                    }
                    return await _resilience.Timeout.ExecuteAsync(
                        async attemptToken =>
                        {
                            using var request = new HttpRequestMessage(method, path);
                            if (body is not null)
                            {
                                request.Content = new ByteArrayContent(body);
                                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                            }

                            try
                            {
                                var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptToken);
                                if (attempts is not null && (int)response.StatusCode >= 500)
                                {
                                    attempts.MayHaveActed = true;
                                }

                                return response;
                            }
                            catch (Exception ex) when (attempts is not null && !(ex is HttpRequestException sendFailure && NotSent(sendFailure)))
                            {
                                // A timeout or a connection cut after sending: the venue may have acted on this attempt.
                                attempts.MayHaveActed = true;
                                throw;
                            }
                        },
                        token);
                },
                cancellationToken);
        }
        catch (BrokenCircuitException ex)
        {
            throw EarlierAttemptMayHaveActed(attempts, ex) ?? new BrokerException(BrokerErrorKind.Unavailable, "The Alpaca circuit is open after repeated failures; nothing was sent.", ex)
            {
                RetryAfter = ex.RetryAfter,
            };
        }
        catch (HttpRequestException ex) when (NotSent(ex))
        {
            throw EarlierAttemptMayHaveActed(attempts, ex) ?? new BrokerException(BrokerErrorKind.Unavailable, "Alpaca could not be reached; nothing was sent.", ex);
        }
        catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.RateLimited && EarlierAttemptMayHaveActed(attempts, ex) is { } unknown)
        {
            // A retry that got no permit sent nothing; the attempt before it may have acted.
            throw unknown;
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or HttpRequestException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The request left this process; whether Alpaca acted on it is unknown. Reads changed nothing.
            throw kind is AlpacaRequestKind.Read or AlpacaRequestKind.Resolve
                ? new BrokerException(BrokerErrorKind.Unavailable, "Alpaca did not answer in time or cut the connection.", ex)
                : new BrokerException(BrokerErrorKind.OutcomeUnknown, "Alpaca did not answer in time or cut the connection after the request was sent.", ex);
        }
    }

    private static bool NotSent(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;

    /// <summary>For a retried write whose last attempt went nowhere: unknown, not unsent, when an attempt before it may have acted.</summary>
    private static BrokerException? EarlierAttemptMayHaveActed(AlpacaAttempts? attempts, Exception lastAttempt) =>
        attempts is { MayHaveActed: true }
            ? new BrokerException(BrokerErrorKind.OutcomeUnknown, "Alpaca did not answer an earlier attempt of this request clearly and a retry was not sent: " + lastAttempt.Message, lastAttempt)
            : null;

    /// <summary>
    /// A failed answer's kind. A 5xx may come from a proxy that forwarded the request to the service that acted on it, so on
    /// a write (<paramref name="request"/> not a read) it says nothing of the outcome.
    /// </summary>
    private async Task<BrokerException> ToExceptionAsync(HttpResponseMessage response, string operation, AlpacaRequestKind request, CancellationToken cancellationToken)
    {
        var message = await ReadErrorMessageAsync(response, cancellationToken);
        var status = (int)response.StatusCode;
        var kind = status switch
        {
            404 => BrokerErrorKind.NotFound,
            429 => BrokerErrorKind.RateLimited,
            >= 500 when request is AlpacaRequestKind.Read or AlpacaRequestKind.Resolve => BrokerErrorKind.Unavailable,
            >= 500 => BrokerErrorKind.OutcomeUnknown,
            _ => BrokerErrorKind.Rejected,
        };
        AlpacaLog.CallFailed(_logger, operation, kind, status, message);
        var text = status == 401
            ? $"Alpaca refused the credentials for {operation} (HTTP 401)."
            : $"Alpaca {operation} failed with HTTP {status}: {message}";
        return new BrokerException(kind, text)
        {
            RetryAfter = status == 429 ? _resilience.RetryAfterHeader(response) : null,
        };
    }

    private static async Task<string> ReadErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string raw;
        try
        {
            raw = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return response.ReasonPhrase ?? string.Empty;
        }

        string? message = null;
        try
        {
            message = JsonSerializer.Deserialize(raw, AlpacaJsonContext.Default.AlpacaErrorJson)?.Message;
        }
        catch (JsonException)
        {
            message = null;
        }

        message ??= response.ReasonPhrase ?? string.Empty;
        return message.Length > MaxErrorMessageLength ? message[..MaxErrorMessageLength] : message;
    }
}
