using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OrleansTrader.Alpaca;
using OrleansTrader.Brokers.Alpaca.Json;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>
/// The trade_updates websocket of one API key. Alpaca allows one such connection per key, so this class refuses a
/// second concurrent reader, and the cluster must run exactly one per key (docs/alpaca.md).
/// After every (re)connect it authenticates, listens, back-fills fills from the FILL activities since the last fill
/// a reader took (minus an overlap, de-duplicated by execution id) and re-checks open orders before it reports healthy.
/// A fill counts as delivered only when the reader takes it from the channel: what a stopped reader left in the channel
/// is back-filled for the next reader.
/// </summary>
public sealed class AlpacaTradeUpdatesStream
{
    private const int MaxMessageBytes = 1 << 20;
    private const int ChannelCapacity = 10_000;
    private const int MaxTrackedOrders = 10_000;

    private readonly AlpacaOptions _options;
    private readonly AlpacaTradingClient _client;
    private readonly IReadOnlyList<IBrokerHealthListener> _listeners;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Dictionary<string, OrderStatus> _openOrders = new(StringComparer.Ordinal);

    // Open orders as the reports a reader took show them; a new reader's pump starts from it, so a status change a stopped
    // reader left in the channel is reported again by the catch-up. The reader adds to it and the catch-up forgets an order
    // Alpaca no longer returns, both under _fillGate.
    private readonly Dictionary<string, OrderStatus> _takenOpenOrders = new(StringComparer.Ordinal);

    // The pump writes and the reader takes on different threads; _fillGate guards the three fields below.
    private readonly Lock _fillGate = new();
    private readonly ExecutionIdWindow _taken;
    private readonly HashSet<string> _inChannel = new(StringComparer.Ordinal);
    private DateTimeOffset _lastTakenFillTime;

    // Until when (this process's clock) a connection is known to have received every update: an order submitted later and
    // ended before the next connection had no update seen at all. Only the pump touches it once a reader has started.
    private DateTimeOffset _liveThrough;
    private int _reading;
    private int _connections;
    private bool? _healthy;

    internal AlpacaTradeUpdatesStream(AlpacaOptions options, AlpacaTradingClient client, IReadOnlyList<IBrokerHealthListener> listeners, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _client = client;
        _listeners = listeners;
        _timeProvider = timeProvider;
        _logger = logger;
        _taken = new ExecutionIdWindow(options.ExecutionDeduplicationWindow);
    }

    /// <summary>How many times a connection has been authorized and subscribed (diagnostics and tests).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Reports until <paramref name="cancellationToken"/> is cancelled; reconnects on its own.</summary>
    public async IAsyncEnumerable<ExecutionReport> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("Alpaca allows one trade_updates connection per API key and this client already has a reader.");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<ExecutionReport>(new BoundedChannelOptions(ChannelCapacity) { SingleReader = true, SingleWriter = true });
        lock (_fillGate)
        {
            if (_lastTakenFillTime == default)
            {
                // A later reader of the same client back-fills from the last fill the previous reader took.
                _lastTakenFillTime = _timeProvider.GetUtcNow();
            }

            if (_liveThrough == default)
            {
                _liveThrough = _timeProvider.GetUtcNow();
            }
        }

        _openOrders.Clear();
        foreach (var (orderId, status) in _takenOpenOrders)
        {
            _openOrders[orderId] = status;
        }

        var pump = Task.Run(() => PumpAsync(channel.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var report in channel.Reader.ReadAllAsync(cancellationToken))
            {
                Taken(report);
                yield return report;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await pump;
            lock (_fillGate)
            {
                // Fills still in the channel die with it; they were never taken, so the next reader back-fills them.
                _inChannel.Clear();
            }

            Volatile.Write(ref _reading, 0);
        }
    }

    internal static TimeSpan BackoffDelay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double jitter)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20));
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);

        // "Equal jitter": at least half the delay, so a flapping venue is never hammered.
        return TimeSpan.FromMilliseconds(capped / 2 + (capped / 2 * jitter));
    }

    private async Task PumpAsync(ChannelWriter<ExecutionReport> writer, CancellationToken cancellationToken)
    {
        var attempt = 0;

        // An outage warns once, when it begins; the attempts after it at Debug, and its end says how long it lasted. A
        // warning per attempt (every minute at the longest delay) buried the rest of the log during an hour's outage.
        var outage = new FailureStreak(_timeProvider);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                DateTimeOffset? liveSince = null;
                try
                {
                    using var socket = new ClientWebSocket();
                    // A ping without a deadline never notices a half-open connection; the stream would stay "healthy" and silent.
                    socket.Options.KeepAliveInterval = _options.StreamKeepAliveInterval;
                    socket.Options.KeepAliveTimeout = _options.StreamKeepAliveTimeout;
                    var connectingAt = _timeProvider.GetUtcNow();
                    await HandshakeAsync(socket, cancellationToken);
                    Interlocked.Increment(ref _connections);
                    AlpacaLog.StreamConnected(_logger, Connections);
                    await CatchUpAsync(writer, cancellationToken);

                    // Caught up to this connection's start; what happened since comes on the connection.
                    if (connectingAt > _liveThrough)
                    {
                        _liveThrough = connectingAt;
                    }

                    if (outage.Succeed() is { } ended)
                    {
                        AlpacaLog.StreamBack(_logger, ended.Failures, ended.Lasted);
                    }

                    SetHealth(true);
                    liveSince = _timeProvider.GetUtcNow();
                    await ReceiveLoopAsync(socket, writer, cancellationToken);
                    cancellationToken.ThrowIfCancellationRequested(); // stopped: the reader closed the connection
                    throw new WebSocketException("Alpaca closed the trade_updates connection.");
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // Whatever broke the connection or the catch-up, the answer is the same: back off and reconnect.
                    // Ending the pump here would end the reader's stream silently.
                    SetHealth(false);

                    // Only a connection that stayed up as long as the longest delay starts the backoff again. One closed right
                    // after its catch-up (another connection on the key displacing it) is one more failed attempt: otherwise
                    // it is asked again at the shortest delay, each time with the catch-up's REST calls on the rate limit.
                    if (liveSince is { } since && _timeProvider.GetUtcNow() - since >= _options.ReconnectMaxDelay)
                    {
                        attempt = 0;
                    }

                    // Refused keys (the stream's "unauthorized", a 401/403 on the catch-up) are refused again until an
                    // operator changes them: asked at the longest delay, not at the shortest as if the refusal were transient.
                    var delay = ex is BrokerException { Kind: BrokerErrorKind.Rejected }
                        ? _options.ReconnectMaxDelay
                        : BackoffDelay(attempt++, _options.ReconnectBaseDelay, _options.ReconnectMaxDelay, Random.Shared.NextDouble());
                    if (outage.Fail())
                    {
                        AlpacaLog.StreamLost(_logger, ex.Message, delay);
                    }
                    else
                    {
                        AlpacaLog.StreamStillLost(_logger, ex.Message, outage.Failures, delay);
                    }

                    await Task.Delay(delay, _timeProvider, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested)
        {
            // The reader stopped; whatever was in progress (a read, a back-fill) is abandoned with it.
            AlpacaLog.StreamStopped(_logger, ex.GetType().Name);
        }
        finally
        {
            SetHealth(false);
            writer.TryComplete();
        }
    }

    private async Task HandshakeAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StreamHandshakeTimeout);
        var step = "connection";
        JsonElement listening;
        try
        {
            await socket.ConnectAsync(_options.ResolveStreamUrl(), timeout.Token);

            step = "authorization";
            var auth = new AlpacaAuthMessage { Key = _options.KeyId, Secret = _options.SecretKey };
            await SendAsync(socket, JsonSerializer.SerializeToUtf8Bytes(auth, AlpacaJsonContext.Default.AlpacaAuthMessage), timeout.Token);
            var authorization = await ReceiveUntilAsync(socket, "authorization", timeout.Token);
            var status = authorization.Deserialize(AlpacaJsonContext.Default.AlpacaAuthorizationJson)?.Status;
            if (!string.Equals(status, "authorized", StringComparison.Ordinal))
            {
                AlpacaLog.StreamUnauthorized(_logger);
                throw new BrokerException(BrokerErrorKind.Rejected, "Alpaca refused the trade_updates authorization.");
            }

            step = "listen";
            var listen = new AlpacaListenMessage { Data = new AlpacaListenDataJson { Streams = ["trade_updates"] } };
            await SendAsync(socket, JsonSerializer.SerializeToUtf8Bytes(listen, AlpacaJsonContext.Default.AlpacaListenMessage), timeout.Token);
            listening = await ReceiveUntilAsync(socket, "listening", timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException
                                   && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A cancelled receive says only "The operation was canceled."; the operator needs to know what went unanswered.
            throw new TimeoutException($"Alpaca did not answer the trade_updates {step} within {_options.StreamHandshakeTimeout}.", ex);
        }

        var streams = listening.Deserialize(AlpacaJsonContext.Default.AlpacaListenDataJson)?.Streams ?? [];
        if (!streams.Contains("trade_updates"))
        {
            throw new BrokerException(BrokerErrorKind.Rejected, "Alpaca did not confirm the trade_updates subscription.");
        }
    }

    /// <summary>Fills missed while disconnected, then the current state of orders that may have changed meanwhile.</summary>
    private async Task CatchUpAsync(ChannelWriter<ExecutionReport> writer, CancellationToken cancellationToken)
    {
        DateTimeOffset since;
        lock (_fillGate)
        {
            since = _lastTakenFillTime - _options.BackfillOverlap;
        }

        var fills = await _client.GetFillsSinceAsync(since, cancellationToken);
        var trackedAtStart = new Dictionary<string, OrderStatus>(_openOrders, StringComparer.Ordinal);
        var orders = new Dictionary<string, BrokerOrder>(StringComparer.Ordinal);
        var emitted = 0;
        foreach (var (execution, cumulative) in fills)
        {
            if (IsKnown(execution.ExecutionId))
            {
                AlpacaLog.DuplicateExecution(_logger, execution.ExecutionId, execution.OrderId);
                continue;
            }

            if (!orders.TryGetValue(execution.OrderId, out var order))
            {
                order = await _client.GetOrderAsync(execution.OrderId, cancellationToken)
                        ?? throw new BrokerException(BrokerErrorKind.NotFound, "A back-filled fill names an order Alpaca does not return; retrying the catch-up.");
                orders[execution.OrderId] = order;
            }

            if (!TryAddToChannel(execution.ExecutionId))
            {
                continue;
            }

            var kind = cumulative >= order.Quantity ? ExecutionReportKind.Fill : ExecutionReportKind.PartialFill;
            Track(order);
            await writer.WriteAsync(new ExecutionReport(kind, order, execution.Timestamp, execution), cancellationToken);
            emitted++;
        }

        // A bracket's exit legs are listed nested under their entry: they count as listed (and tracked) like the entry.
        var open = (await _client.ListOpenOrdersAsync(cancellationToken)).SelectMany(WithLegs).ToList();
        var openIds = open.Select(o => o.OrderId).ToHashSet(StringComparer.Ordinal);
        var now = _timeProvider.GetUtcNow();
        foreach (var (closedId, known) in trackedAtStart.Where(o => !openIds.Contains(o.Key) && _openOrders.ContainsKey(o.Key)).ToList())
        {
            if (await _client.GetOrderAsync(closedId, cancellationToken) is not { } closed)
            {
                // Forgotten by the next reader too: kept among the orders it starts from, every reader asked for it again
                // and it held one of the tracked orders' places for good.
                _openOrders.Remove(closedId);
                lock (_fillGate)
                {
                    _takenOpenOrders.Remove(closedId);
                }

                continue;
            }

            // Not listed is not ended: a bracket's exit legs are nested under their entry, never listed on their own.
            // One still working stays tracked, or its cancel or expiry during a later disconnect is never reported.
            Track(closed);
            if (AlpacaStatusMap.IsTerminal(closed.Status) || known != closed.Status)
            {
                await writer.WriteAsync(new ExecutionReport(AlpacaStatusMap.KindForStatus(closed.Status), closed, now), cancellationToken);
            }
        }

        // An order that filled and then ended while disconnected (partly filled, then canceled or expired) left the tracked
        // set with its fill's report, which tells the fill but not the end: its end is reported after the fill.
        foreach (var ended in orders.Values.Where(o => AlpacaStatusMap.IsTerminal(o.Status) && o.Status != OrderStatus.Filled))
        {
            await writer.WriteAsync(new ExecutionReport(AlpacaStatusMap.KindForStatus(ended.Status), ended, now), cancellationToken);
        }

        foreach (var order in open)
        {
            if (!_openOrders.TryGetValue(order.OrderId, out var known) || known != order.Status)
            {
                Track(order);
                await writer.WriteAsync(new ExecutionReport(AlpacaStatusMap.KindForStatus(order.Status), order, now), cancellationToken);
            }
        }

        // An order submitted and ended while disconnected without a fill (canceled, expired, rejected, replaced) was never
        // tracked, is not open and has no fill to back-fill: only the closed orders submitted since the last connection was
        // known live show it. Filled ones are told by their fills above; one ended within the overlap before the drop and
        // already reported is reported again, which a reader takes as a repeat of an end it has.
        var closedSince = await _client.ListEveryOrderAsync("closed", _liveThrough - _options.BackfillOverlap, cancellationToken);
        foreach (var ended in closedSince.SelectMany(WithLegs))
        {
            if (AlpacaStatusMap.IsTerminal(ended.Status) && ended.Status != OrderStatus.Filled
                && !trackedAtStart.ContainsKey(ended.OrderId) && !orders.ContainsKey(ended.OrderId))
            {
                await writer.WriteAsync(new ExecutionReport(AlpacaStatusMap.KindForStatus(ended.Status), ended, now), cancellationToken);
            }
        }

        AlpacaLog.StreamHealthy(_logger, emitted, open.Count);
    }

    private async Task ReceiveLoopAsync(ClientWebSocket socket, ChannelWriter<ExecutionReport> writer, CancellationToken cancellationToken)
    {
        // Stopping sends a close instead of cancelling the receive, which would abort the socket.
        await using var closeOnStop = new WebSocketCloseOnStop(socket, _timeProvider, cancellationToken);
        await ReceiveUpdatesAsync(socket, writer, closeOnStop.ReceiveToken, cancellationToken);
    }

    private async Task ReceiveUpdatesAsync(ClientWebSocket socket, ChannelWriter<ExecutionReport> writer, CancellationToken receiveToken, CancellationToken cancellationToken)
    {
        while (true)
        {
            var envelope = await ReceiveEnvelopeAsync(socket, receiveToken);
            if (envelope is null)
            {
                return;
            }

            if (!string.Equals(envelope.Stream, "trade_updates", StringComparison.Ordinal))
            {
                continue;
            }

            AlpacaTradeUpdateJson update;
            BrokerOrder order;
            try
            {
                update = envelope.Data.Deserialize(AlpacaJsonContext.Default.AlpacaTradeUpdateJson)
                         ?? throw new FormatException("empty trade update");
                order = AlpacaMapper.ToBrokerOrder(update.Order ?? throw new FormatException("trade update without an order"), _logger);
            }
            catch (AlpacaUnsupportedOrderException unsupported)
            {
                // Not an order of this backend's (it places only kinds it models): nothing to report, and reconnecting
                // would not make it readable.
                _client.LeaveOut(unsupported, "trade_updates");
                continue;
            }
            catch (Exception ex) when (ex is JsonException or FormatException)
            {
                throw Malformed(ex.Message);
            }

            if (ToReport(update, order) is { } report)
            {
                await writer.WriteAsync(report, cancellationToken);
            }

            // This update is in the channel: the connection was live at least until it came.
            var receivedBy = _timeProvider.GetUtcNow();
            if (receivedBy > _liveThrough)
            {
                _liveThrough = receivedBy;
            }
        }
    }

    private ExecutionReport? ToReport(AlpacaTradeUpdateJson update, BrokerOrder order)
    {
        var timestamp = update.Timestamp ?? _timeProvider.GetUtcNow();
        if (!AlpacaStatusMap.TryMapEvent(update.Event, out var kind))
        {
            AlpacaLog.UnknownEvent(_logger, update.Event ?? "(none)", order.OrderId, order.ClientOrderId, order.Symbol);
            Track(order);
            return new ExecutionReport(ExecutionReportKind.StatusChanged, order, timestamp, null, $"unknown Alpaca event '{update.Event}'");
        }

        Track(order);
        if (kind is not (ExecutionReportKind.Fill or ExecutionReportKind.PartialFill))
        {
            return new ExecutionReport(kind, order, timestamp);
        }

        // The execution id is built from the order's filled_qty after this fill: without it (read as 0) every such fill would
        // share one id and all but the first be dropped as repeats. The FILL activities carry it as cum_qty.
        if (order.FilledQuantity <= 0m)
        {
            throw Malformed($"a {update.Event} event whose order has no filled quantity");
        }

        Execution execution;
        try
        {
            execution = AlpacaMapper.ToExecution(update, order, timestamp);
        }
        catch (FormatException ex)
        {
            throw Malformed(ex.Message);
        }

        if (!TryAddToChannel(execution.ExecutionId))
        {
            AlpacaLog.DuplicateExecution(_logger, execution.ExecutionId, execution.OrderId);
            return null;
        }

        return new ExecutionReport(kind, order, timestamp, execution);
    }

    /// <summary>
    /// A message that cannot be read may have been a fill. Skipping it could lose the fill, so the connection is
    /// dropped: the reconnect's catch-up reads the fills from the FILL activities instead.
    /// </summary>
    private InvalidDataException Malformed(string failure)
    {
        AlpacaLog.StreamMalformed(_logger, failure);
        return new InvalidDataException("Unreadable trade_updates message; reconnecting to back-fill from the activities.");
    }

    private void Track(BrokerOrder order) => Track(_openOrders, order);

    /// <summary>
    /// Tracks the order and its legs: a bracket's exits are announced nested in their entry's updates (an entry filled
    /// while disconnected brings them only so), and a leg not tracked would have a later end during a disconnect go unreported.
    /// </summary>
    private static void Track(Dictionary<string, OrderStatus> openOrders, BrokerOrder order)
    {
        if (AlpacaStatusMap.IsTerminal(order.Status))
        {
            openOrders.Remove(order.OrderId);
        }
        else if (openOrders.Count < MaxTrackedOrders || openOrders.ContainsKey(order.OrderId))
        {
            openOrders[order.OrderId] = order.Status;
        }

        foreach (var leg in order.Legs)
        {
            Track(openOrders, leg);
        }
    }

    private static IEnumerable<BrokerOrder> WithLegs(BrokerOrder order) => [order, .. order.Legs.SelectMany(WithLegs)];

    /// <summary>Already taken by a reader, or already waiting in this reader's channel.</summary>
    private bool IsKnown(string executionId)
    {
        lock (_fillGate)
        {
            return _taken.Contains(executionId) || _inChannel.Contains(executionId);
        }
    }

    /// <summary>False when the fill was taken already or is already in the channel: it must not be written again.</summary>
    private bool TryAddToChannel(string executionId)
    {
        lock (_fillGate)
        {
            return !_taken.Contains(executionId) && _inChannel.Add(executionId);
        }
    }

    /// <summary>
    /// The reader took a report: only now does its fill count as delivered, so only now does it join the de-duplication
    /// window and move the back-fill start past it, and only now does its order's status count as known.
    /// </summary>
    private void Taken(ExecutionReport report)
    {
        lock (_fillGate)
        {
            Track(_takenOpenOrders, report.Order);
            if (report.Execution is not { } execution)
            {
                return;
            }

            _inChannel.Remove(execution.ExecutionId);
            _taken.TryAdd(execution.ExecutionId);
            if (execution.Timestamp > _lastTakenFillTime)
            {
                _lastTakenFillTime = execution.Timestamp;
            }
        }
    }

    private void SetHealth(bool healthy)
    {
        // Listeners hear transitions only, not every failed reconnect attempt.
        if (_healthy == healthy)
        {
            return;
        }

        _healthy = healthy;
        foreach (var listener in _listeners)
        {
            listener.OnStreamHealthChanged(_client.Name, healthy);
        }
    }

    private static Task SendAsync(ClientWebSocket socket, byte[] payload, CancellationToken cancellationToken) =>
        socket.SendAsync(payload, WebSocketMessageType.Text, true, cancellationToken);

    private async Task<JsonElement> ReceiveUntilAsync(ClientWebSocket socket, string stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            var envelope = await ReceiveEnvelopeAsync(socket, cancellationToken)
                           ?? throw new WebSocketException("Alpaca closed the trade_updates connection during the handshake.");
            if (string.Equals(envelope.Stream, stream, StringComparison.Ordinal))
            {
                return envelope.Data;
            }
        }
    }

    /// <summary>One whole message, text or binary (the paper host sends binary frames); null when the socket closed.</summary>
    private async Task<AlpacaStreamEnvelope?> ReceiveEnvelopeAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var message = new MemoryStream();
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                message.Write(buffer, 0, result.Count);
                if (message.Length > MaxMessageBytes)
                {
                    throw new InvalidDataException("A trade_updates message exceeded the size limit.");
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }

                try
                {
                    return JsonSerializer.Deserialize(message.GetBuffer().AsSpan(0, (int)message.Length), AlpacaJsonContext.Default.AlpacaStreamEnvelope);
                }
                catch (JsonException ex)
                {
                    throw Malformed(ex.Message);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
