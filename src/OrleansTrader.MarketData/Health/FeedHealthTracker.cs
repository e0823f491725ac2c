using System.Collections.Concurrent;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.MarketData.Health;

/// <summary>
/// Thread-safe counters behind <see cref="FeedHealth"/>. The per-symbol map is bounded by
/// <see cref="MaxTrackedSymbols"/>; symbols beyond it are counted in aggregate only.
/// </summary>
internal sealed class FeedHealthTracker
{
    public const int MaxTrackedSymbols = 10_000;

    private readonly string _feedName;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastEventBySymbol = new(StringComparer.Ordinal);
    private readonly long[] _rejected = new long[Enum.GetValues<RejectionReason>().Length];
    private readonly long[] _malformed = new long[Enum.GetValues<MalformedReason>().Length];
    private readonly Lock _stateLock = new();
    private FeedState _state = FeedState.Disconnected;
    private DateTimeOffset? _stateSince;
    private int? _lastErrorCode;
    private string? _lastErrorMessage;
    private long _eventsDelivered;
    private long _outOfOrder;
    private long _reconnects;
    private DateTimeOffset _lastDataTime = DateTimeOffset.MinValue;

    public FeedHealthTracker(string feedName, TimeProvider timeProvider)
    {
        _feedName = feedName;
        _timeProvider = timeProvider;
    }

    public FeedState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    /// <summary>Sets the state; returns true when it changed.</summary>
    public bool SetState(FeedState state, int? errorCode = null, string? errorMessage = null)
    {
        lock (_stateLock)
        {
            if (errorCode is not null || errorMessage is not null)
            {
                _lastErrorCode = errorCode;
                _lastErrorMessage = errorMessage;
            }

            if (_state == state)
            {
                return false;
            }

            _state = state;
            _stateSince = _timeProvider.GetUtcNow();
            return true;
        }
    }

    /// <summary>Counts a delivered data event; status events are not data and are not counted.</summary>
    public void RecordDelivered(MarketDataEvent marketEvent)
    {
        if (marketEvent is FeedStatusEvent)
        {
            return;
        }

        Interlocked.Increment(ref _eventsDelivered);
        if (marketEvent.Symbol is { } symbol &&
            (_lastEventBySymbol.Count < MaxTrackedSymbols || _lastEventBySymbol.ContainsKey(symbol)))
        {
            _lastEventBySymbol[symbol] = _timeProvider.GetUtcNow();
        }

        // Only the single reader delivers, so the last data time needs no lock.
        if (marketEvent.AvailableAt < _lastDataTime)
        {
            Interlocked.Increment(ref _outOfOrder);
        }
        else
        {
            _lastDataTime = marketEvent.AvailableAt;
        }
    }

    public void RecordRejected(RejectionReason reason) => Interlocked.Increment(ref _rejected[(int)reason]);

    public void RecordMalformed(MalformedReason reason) => Interlocked.Increment(ref _malformed[(int)reason]);

    public void RecordReconnect() => Interlocked.Increment(ref _reconnects);

    public FeedHealth Snapshot()
    {
        lock (_stateLock)
        {
            return new FeedHealth
            {
                FeedName = _feedName,
                State = _state,
                StateSince = _stateSince,
                LastEventTimeBySymbol = new Dictionary<string, DateTimeOffset>(_lastEventBySymbol, StringComparer.Ordinal),
                RejectedByReason = ToMap<RejectionReason>(_rejected),
                MalformedByReason = ToMap<MalformedReason>(_malformed),
                EventsDelivered = Interlocked.Read(ref _eventsDelivered),
                OutOfOrderEvents = Interlocked.Read(ref _outOfOrder),
                Reconnects = Interlocked.Read(ref _reconnects),
                LastErrorCode = _lastErrorCode,
                LastErrorMessage = _lastErrorMessage,
            };
        }
    }

    private static Dictionary<T, long> ToMap<T>(long[] counts)
        where T : struct, Enum
    {
        var map = new Dictionary<T, long>();
        for (var i = 1; i < counts.Length; i++)
        {
            var value = Interlocked.Read(ref counts[i]);
            if (value != 0)
            {
                map[(T)(object)i] = value;
            }
        }

        return map;
    }
}
