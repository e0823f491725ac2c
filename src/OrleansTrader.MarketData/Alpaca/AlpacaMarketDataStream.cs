using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Alpaca;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.MarketData.Alpaca;

/// <summary>
/// Alpaca's real-time stock stream over one <see cref="ClientWebSocket"/>. Alpaca allows one connection per key,
/// so a cluster runs one instance. It authenticates, subscribes to the current symbol set, reconnects with
/// jittered exponential backoff and resubscribes; errors are logged and turn the health to degraded with the code.
/// </summary>
public sealed class AlpacaMarketDataStream : IMarketDataFeed
{
    private readonly AlpacaMarketDataOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly FeedHealthTracker _health;
    private readonly Lock _lock = new();
    private readonly SortedSet<string> _symbols = new(StringComparer.Ordinal);

    // The symbols Alpaca streams as its last subscription message listed them. Kept across connections: a reconnect
    // asks for these first, in a request of their own, so symbols Alpaca refuses cannot take them down with them.
    private readonly SortedSet<string> _accepted = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TickValidator? _validator;
    private ClientWebSocket? _socket;
    private AlpacaControlMessage? _lastSubscription;
    private bool _acceptedOnThisConnection;
    private int _unansweredRequests;
    private bool _refusalUnresolved;
    private int _reading;

    public AlpacaMarketDataStream(
        IOptions<AlpacaMarketDataOptions> options,
        IOptions<TickValidatorOptions> validatorOptions,
        TimeProvider timeProvider,
        ILogger<AlpacaMarketDataStream> logger)
        : this(
            (options ?? throw new ArgumentNullException(nameof(options))).Value,
            timeProvider,
            logger,
            (validatorOptions ?? throw new ArgumentNullException(nameof(validatorOptions))).Value)
    {
    }

    /// <summary>Creates the stream; with <paramref name="validatorOptions"/> (and <see cref="AlpacaMarketDataOptions.Validate"/>) data is validated before delivery.</summary>
    public AlpacaMarketDataStream(AlpacaMarketDataOptions options, TimeProvider timeProvider, ILogger logger, TickValidatorOptions? validatorOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var failures = AlpacaMarketDataOptionsValidator.Collect(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _health = new FeedHealthTracker(Name, timeProvider);
        _validator = options.Validate ? new TickValidator(validatorOptions ?? new TickValidatorOptions()) : null;
        foreach (var symbol in options.Symbols.Count > 0 ? options.Symbols : DefaultSymbols(options))
        {
            _symbols.Add(Normalize(symbol));
        }
    }

    public string Name => "alpaca";

    public Uri StreamUri => new($"{_options.StreamBaseUrl.AbsoluteUri.TrimEnd('/')}/{_options.Feed}");

    /// <summary>The symbols the stream subscribes to now and after every reconnect (less those Alpaca refused for the plan's symbol limit).</summary>
    public IReadOnlyList<string> Symbols
    {
        get
        {
            lock (_lock)
            {
                return [.. _symbols];
            }
        }
    }

    public FeedHealth GetHealth() => _health.Snapshot();

    /// <summary>Runs the connection until <paramref name="cancellationToken"/> is cancelled. One reader at a time.</summary>
    public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("The Alpaca stream has one reader; it is already being read.");
        }

        var channel = Channel.CreateBounded<MarketDataEvent>(new BoundedChannelOptions(_options.ChannelCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loop = Task.Run(() => RunAsync(channel.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var marketEvent in channel.Reader.ReadAllAsync(cancellationToken))
            {
                _health.RecordDelivered(marketEvent);
                yield return marketEvent;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await loop;

            _health.SetState(FeedState.Disconnected);
            Volatile.Write(ref _reading, 0);
        }
    }

    public Task SubscribeAsync(IEnumerable<string> symbols, CancellationToken cancellationToken) =>
        ChangeSubscriptionAsync(symbols, subscribe: true, cancellationToken);

    public Task UnsubscribeAsync(IEnumerable<string> symbols, CancellationToken cancellationToken) =>
        ChangeSubscriptionAsync(symbols, subscribe: false, cancellationToken);

    internal AlpacaControlMessage? LastSubscription
    {
        get
        {
            lock (_lock)
            {
                return _lastSubscription;
            }
        }
    }

    /// <summary>Test seam: runs after a runtime subscription change has taken the socket and before it is sent on it.</summary>
    internal Func<Task>? BeforeSubscriptionChangeSent { get; set; }

    /// <summary>Test seam: runs when a connection has made its socket current, before it sends the whole set.</summary>
    internal Action? AfterSocketPublished { get; set; }

    private static IEnumerable<string> DefaultSymbols(AlpacaMarketDataOptions options) =>
        options.Feed == "test" ? ["FAKEPACA"] : [];

    private static string Normalize(string symbol) => symbol.Trim().ToUpperInvariant();

    private async Task ChangeSubscriptionAsync(IEnumerable<string> symbols, bool subscribe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        List<string> changed;
        ClientWebSocket? socket;
        lock (_lock)
        {
            changed = symbols.Select(Normalize).Distinct(StringComparer.Ordinal)
                .Where(s => s.Length > 0 && (subscribe ? _symbols.Add(s) : _symbols.Remove(s)))
                .ToList();
            socket = _socket;
            if (changed.Count > 0 && socket is not null)
            {
                _unansweredRequests++;
            }
        }

        if (changed.Count > 0 && socket is not null)
        {
            if (BeforeSubscriptionChangeSent is { } beforeSend)
            {
                await beforeSend();
            }

            try
            {
                await SendAsync(socket, SubscriptionMessage(subscribe ? "subscribe" : "unsubscribe", changed), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The caller gave up before the request went out (a send cancelled half way aborts the socket, and the
                // reconnect counts afresh): no answer will come for it, and counting one would hold back the names of
                // the symbols a 405 refuses on this connection for ever.
                lock (_lock)
                {
                    if (ReferenceEquals(_socket, socket))
                    {
                        _unansweredRequests = Math.Max(0, _unansweredRequests - 1);
                    }
                }

                throw;
            }
            catch (Exception ex) when ((ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException) &&
                                       !cancellationToken.IsCancellationRequested && !IsCurrentAndOpen(socket))
            {
                // The connection died or is closing: the set already holds the change, and the reconnect sends the
                // whole set, so the change is not lost (an unsubscribed symbol is simply left out).
            }
        }
    }

    private bool IsCurrentAndOpen(ClientWebSocket socket)
    {
        lock (_lock)
        {
            return ReferenceEquals(_socket, socket) && socket.State == WebSocketState.Open;
        }
    }

    private async Task RunAsync(ChannelWriter<MarketDataEvent> writer, CancellationToken cancellationToken)
    {
        var attempt = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Exception? failure;
                DateTimeOffset? authenticatedAt = null;
                try
                {
                    var lastError = await RunConnectionAsync(writer, () => authenticatedAt = _timeProvider.GetUtcNow(), cancellationToken);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        // Stopping closed the connection: nothing was lost.
                        break;
                    }

                    // Only a session that lasted as long as the longest delay starts the backoff again. One the server
                    // ended at once, with an error (406: another session holds these keys) or without, was refused rather
                    // than lost: starting again at each authentication asked anew every ReconnectInitialDelay forever.
                    if (authenticatedAt is { } since && _timeProvider.GetUtcNow() - since >= _options.ReconnectMaxDelay)
                    {
                        attempt = 0;
                    }

                    // Alpaca closes after some errors (407 slow client): the close keeps that code, so health and the
                    // status event say why the connection was lost instead of only that it was.
                    failure = lastError is { } error
                        ? new AlpacaStreamException(error.Code ?? 0, $"the server closed the connection after the error '{error.Message}'")
                        : new AlpacaStreamException("The server closed the connection.");
                }
                catch (Exception ex) when (cancellationToken.IsCancellationRequested &&
                                           ex is WebSocketException or OperationCanceledException or IOException)
                {
                    break;
                }
                catch (Exception ex) when (ex is WebSocketException or AlpacaStreamException or OperationCanceledException or InvalidDataException or IOException or JsonException)
                {
                    failure = ex;
                }

                attempt++;
                _health.RecordReconnect();
                var code = (failure as AlpacaStreamException)?.Code;

                // Alpaca answers a refusal of the keys (402) or of the plan (409) the same way until an operator changes
                // them: asking again at the shortest backoff would only repeat failing logins, so it is asked at the
                // longest, and the health, the status event and an error say what has to change.
                var needsOperator = AlpacaStreamErrors.NeedsOperator(code);
                var delay = needsOperator ? _options.ReconnectMaxDelay : Backoff(attempt);
                var reason = needsOperator
                    ? $"{failure.Message}; needs the keys or the plan changed, retrying every {delay}"
                    : failure.Message;
                if (_health.SetState(FeedState.Degraded, code, reason) || code is not null)
                {
                    await Publish(writer, FeedState.Degraded, $"connection lost: {reason}", code, cancellationToken);
                }

                if (needsOperator)
                {
                    MarketDataLog.AlpacaNeedsOperator(_logger, code!.Value, AlpacaStreamErrors.Describe(code.Value), delay);
                }

                MarketDataLog.AlpacaReconnecting(_logger, attempt, delay, failure);
                await Task.Delay(delay, _timeProvider, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal way out of the loop.
        }
        finally
        {
            writer.TryComplete();
        }
    }

    /// <summary>Runs one connection until it closes; returns the error the server sent just before closing, if any.</summary>
    private async Task<AlpacaControlMessage?> RunConnectionAsync(
        ChannelWriter<MarketDataEvent> writer, Action onAuthenticated, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();

        // Without a pong deadline a stalled connection (no data, no close) would leave the receive waiting forever;
        // an unanswered ping aborts the socket, and the loop reconnects.
        socket.Options.KeepAliveInterval = _options.KeepAliveInterval;
        socket.Options.KeepAliveTimeout = _options.KeepAliveTimeout;
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var parsed = new List<AlpacaParsedMessage>();
        _health.SetState(FeedState.Connecting);
        MarketDataLog.AlpacaConnecting(_logger, StreamUri);
        using (var connectTimeout = new CancellationTokenSource(_options.ConnectTimeout, _timeProvider))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connectTimeout.Token))
        {
            await socket.ConnectAsync(StreamUri, linked.Token);
        }

        using (var authTimeout = new CancellationTokenSource(_options.AuthTimeout, _timeProvider))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, authTimeout.Token))
        {
            try
            {
                await ExpectSuccessAsync(socket, buffer, parsed, "connected", linked.Token);
                await SendAsync(socket, AuthMessage(), linked.Token);
                await ExpectSuccessAsync(socket, buffer, parsed, "authenticated", linked.Token);
            }
            catch (OperationCanceledException) when (authTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new AlpacaStreamException(AlpacaStreamErrors.AuthTimeout, $"not authenticated within {_options.AuthTimeout}");
            }
        }

        List<string> accepted;
        List<string> added;
        try
        {
            // Stopping sends a close instead of cancelling the receive, which would abort the socket.
            await using var closeOnStop = new WebSocketCloseOnStop(socket, _timeProvider, cancellationToken, _sendLock);
            onAuthenticated();

            // The whole set goes out before any runtime change is sent on this socket: an unsubscribe sent ahead of it
            // would be undone by it, leaving a symbol streamed that the set no longer holds.
            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                lock (_lock)
                {
                    _socket = socket;
                    _accepted.IntersectWith(_symbols);
                    accepted = [.. _accepted];
                    added = [.. _symbols.Except(_accepted)];
                    _acceptedOnThisConnection = false;
                    _refusalUnresolved = false;
                    _unansweredRequests = (accepted.Count > 0 ? 1 : 0) + (added.Count > 0 ? 1 : 0);
                }

                AfterSocketPublished?.Invoke();

                // Alpaca refuses a request that would exceed the plan's symbol limit whole (405): the symbols it streamed
                // before go first, apart from the ones it has not accepted yet, so a refusal of those leaves them streaming.
                foreach (var request in new[] { accepted, added }.Where(r => r.Count > 0))
                {
                    await socket.SendAsync(SubscriptionMessage("subscribe", request), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                }
            }
            finally
            {
                _sendLock.Release();
            }

            var symbolCount = accepted.Count + added.Count;
            MarketDataLog.AlpacaConnected(_logger, symbolCount);
            if (_health.SetState(FeedState.Connected))
            {
                await Publish(writer, FeedState.Connected, $"authenticated, {symbolCount} symbols", null, cancellationToken);
            }

            AlpacaControlMessage? lastError = null;
            while (await ReceiveFrameAsync(socket, buffer, closeOnStop.ReceiveToken))
            {
                parsed.Clear();
                if (!AlpacaMessageParser.TryParse(buffer.WrittenSpan, parsed) && parsed.Count == 0)
                {
                    Malformed(MalformedReason.InvalidMessage, "frame is not a JSON array");
                }

                foreach (var message in parsed)
                {
                    // Only an error that is the last message before a close explains the close.
                    lastError = message.Control is { Type: "error" } error ? error : null;
                    await HandleAsync(writer, message, cancellationToken);
                }
            }

            return lastError;
        }
        finally
        {
            lock (_lock)
            {
                _socket = null;
            }
        }
    }

    private async Task HandleAsync(ChannelWriter<MarketDataEvent> writer, AlpacaParsedMessage message, CancellationToken cancellationToken)
    {
        if (message.Data is { } data)
        {
            // Only the connection loop validates, one frame at a time, so the validator has a single user.
            if (_validator?.Validate(data) is { IsAccepted: false } rejected)
            {
                _health.RecordRejected(rejected.Reason);
                MarketDataLog.TickRejected(_logger, Name, data.Symbol ?? string.Empty, rejected.Reason, rejected.Detail);
                return;
            }

            await writer.WriteAsync(data, cancellationToken);
            return;
        }

        if (message.Control is { } control)
        {
            if (control.Type == "error")
            {
                var code = control.Code ?? 0;
                MarketDataLog.AlpacaError(_logger, code, control.Message ?? AlpacaStreamErrors.Describe(code));
                List<string> refused = [];
                if (code == AlpacaStreamErrors.SymbolLimitExceeded)
                {
                    lock (_lock)
                    {
                        // The refused request is answered; Alpaca keeps the symbols it streamed before it.
                        _unansweredRequests = Math.Max(0, _unansweredRequests - 1);
                        _refusalUnresolved = true;
                        refused = TakeRefusedSymbols();
                    }
                }

                if (refused.Count > 0)
                {
                    await ReportRefusedAsync(writer, refused, cancellationToken);
                }
                else
                {
                    _health.SetState(FeedState.Degraded, code, control.Message);
                    await Publish(writer, FeedState.Degraded, $"{control.Message} ({AlpacaStreamErrors.Describe(code)})", code, cancellationToken);
                }
            }
            else if (control.Type == "subscription")
            {
                List<string> refused;
                lock (_lock)
                {
                    _lastSubscription = control;
                    _accepted.Clear();
                    _accepted.UnionWith(control.Trades.Concat(control.Quotes).Concat(control.Bars));
                    _acceptedOnThisConnection = true;
                    _unansweredRequests = Math.Max(0, _unansweredRequests - 1);
                    refused = TakeRefusedSymbols();
                }

                MarketDataLog.AlpacaSubscription(_logger, string.Join(',', control.Trades), string.Join(',', control.Quotes), string.Join(',', control.Bars));
                if (refused.Count > 0)
                {
                    await ReportRefusedAsync(writer, refused, cancellationToken);
                }
                else if (_health.SetState(FeedState.Connected))
                {
                    await Publish(writer, FeedState.Connected, "recovered: subscription confirmed", null, cancellationToken);
                }
            }

            return;
        }

        Malformed(message.Malformed, message.Detail ?? "unknown");
    }

    /// <summary>
    /// Once every request sent on this connection is answered after a 405, the symbols asked for that Alpaca does not
    /// stream are the refused ones: they leave the set, so a reconnect does not ask for them again (which would have the
    /// whole request refused) and a later subscribe to them is sent. Counting answers does not depend on the order in
    /// which Alpaca answers requests. Called under <see cref="_lock"/>.
    /// </summary>
    private List<string> TakeRefusedSymbols()
    {
        if (!_refusalUnresolved || _unansweredRequests > 0)
        {
            return [];
        }

        _refusalUnresolved = false;
        List<string> refused = [.. _symbols.Where(s => !_acceptedOnThisConnection || !_accepted.Contains(s))];
        _symbols.ExceptWith(refused);
        return refused;
    }

    private async Task ReportRefusedAsync(ChannelWriter<MarketDataEvent> writer, List<string> refused, CancellationToken cancellationToken)
    {
        var names = string.Join(',', refused);
        MarketDataLog.AlpacaSymbolsRefused(_logger, names);
        var message = $"symbol limit exceeded: {names} refused, not streamed and left out of the subscription";
        _health.SetState(FeedState.Degraded, AlpacaStreamErrors.SymbolLimitExceeded, message);
        await Publish(writer, FeedState.Degraded, message, AlpacaStreamErrors.SymbolLimitExceeded, cancellationToken);
    }

    private void Malformed(MalformedReason reason, string detail)
    {
        _health.RecordMalformed(reason);
        if (reason == MalformedReason.UnknownMessageType)
        {
            // Alpaca adds message types without notice; they are counted and skipped, not fatal.
            MarketDataLog.AlpacaUnknownMessage(_logger, detail);
        }
        else
        {
            MarketDataLog.AlpacaBadMessage(_logger, detail);
        }
    }

    private async Task ExpectSuccessAsync(
        ClientWebSocket socket, ArrayBufferWriter<byte> buffer, List<AlpacaParsedMessage> parsed, string expected, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await ReceiveFrameAsync(socket, buffer, cancellationToken))
            {
                throw new AlpacaStreamException($"The server closed the connection while waiting for '{expected}'.");
            }

            parsed.Clear();
            AlpacaMessageParser.TryParse(buffer.WrittenSpan, parsed);
            foreach (var message in parsed)
            {
                if (message.Control is { Type: "error" } error)
                {
                    var code = error.Code ?? 0;
                    MarketDataLog.AlpacaError(_logger, code, error.Message ?? AlpacaStreamErrors.Describe(code));
                    throw new AlpacaStreamException(code, error.Message ?? string.Empty);
                }

                if (message.Control is { Type: "success" } success && success.Message == expected)
                {
                    return;
                }
            }
        }
    }

    private async Task<bool> ReceiveFrameAsync(ClientWebSocket socket, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        buffer.ResetWrittenCount();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(8 * 1024), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                }

                return false;
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > _options.MaxMessageBytes)
            {
                throw new InvalidDataException($"An Alpaca stream message exceeded {_options.MaxMessageBytes} bytes.");
            }

            if (result.EndOfMessage)
            {
                return true;
            }
        }
    }

    private async Task SendAsync(ClientWebSocket socket, byte[] message, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task Publish(ChannelWriter<MarketDataEvent> writer, FeedState state, string message, int? code, CancellationToken cancellationToken) =>
        await writer.WriteAsync(new FeedStatusEvent(Name, state, _timeProvider.GetUtcNow(), message, code), cancellationToken);

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _options.ReconnectInitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, _options.ReconnectMaxDelay.TotalMilliseconds);

        // Equal jitter: half fixed, half random, so many clients restarting together spread out.
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }

    private byte[] AuthMessage()
    {
        var output = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("action", "auth");
            json.WriteString("key", _options.KeyId);
            json.WriteString("secret", _options.SecretKey);
            json.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private byte[] SubscriptionMessage(string action, IReadOnlyCollection<string> symbols)
    {
        var output = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("action", action);
            WriteChannel(json, "trades", _options.SubscribeTrades, symbols);
            WriteChannel(json, "quotes", _options.SubscribeQuotes, symbols);
            WriteChannel(json, "bars", _options.SubscribeBars, symbols);
            json.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private static void WriteChannel(Utf8JsonWriter json, string name, bool enabled, IReadOnlyCollection<string> symbols)
    {
        if (!enabled)
        {
            return;
        }

        json.WriteStartArray(name);
        foreach (var symbol in symbols)
        {
            json.WriteStringValue(symbol);
        }

        json.WriteEndArray();
    }
}
