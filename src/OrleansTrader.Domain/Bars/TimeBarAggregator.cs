using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Bars;

/// <summary>
/// Builds time bars from trades. Bars cover [start, start + interval) with start aligned to a multiple of the
/// interval since the Unix epoch in UTC (so minute bars start on the minute, daily bars at 00:00 UTC).
/// The open bar is emitted when an accepted trade arrives for a later interval, or by <see cref="Flush"/> once the
/// host's clock has passed its end. Intervals without trades produce no bar. A trade for an interval before the
/// open bar's, or before the end of the last emitted bar, is late: counted and never folded into a closed bar.
/// </summary>
public sealed class TimeBarAggregator
{
    private readonly TradeFilterOptions _options;
    private readonly AggregationTally _tally = new();
    private readonly DeviationFilter _deviation;
    private BarBuilder? _open;
    private DateTimeOffset? _emittedUntil;
    private decimal? _lastEmittedClose;

    public TimeBarAggregator(string symbol, TimeSpan interval, TradeFilterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"interval must be > 0; got {interval}.");
        }

        _options = options ?? TradeFilterOptions.Default;
        _options.Validate();
        _deviation = new DeviationFilter(_options);
        Symbol = symbol;
        Interval = interval;
    }

    public string Symbol { get; }

    public TimeSpan Interval { get; }

    public AggregationCounts Counts => _tally.ToCounts();

    /// <summary>The bar being built, as it stands now, or null when no trade is pending.</summary>
    public Bar? Pending => _open?.ToBar(Symbol, _open.Start, Interval);

    /// <summary>The start of the bar being built, or null when no trade is pending.</summary>
    public DateTimeOffset? OpenStart => _open?.Start;

    /// <summary>The start of the interval containing <paramref name="timestamp"/>.</summary>
    public DateTimeOffset AlignStart(DateTimeOffset timestamp)
    {
        var sinceEpoch = timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var offset = sinceEpoch % Interval.Ticks;
        if (offset < 0)
        {
            offset += Interval.Ticks;
        }

        return new DateTimeOffset(timestamp.UtcTicks - offset, TimeSpan.Zero);
    }

    public AggregationStep Add(TradeTick trade)
    {
        ArgumentNullException.ThrowIfNull(trade);
        var disposition = TradeScreen.Classify(trade, Symbol, _options);
        if (disposition != TradeDisposition.Accepted)
        {
            return Exclude(disposition);
        }

        var start = AlignStart(trade.Timestamp);
        if ((_emittedUntil is { } until && trade.Timestamp < until) || (_open is not null && start < _open.Start))
        {
            return Exclude(TradeDisposition.Late);
        }

        if (_deviation.Excludes(trade.Price, _open?.Close ?? _lastEmittedClose))
        {
            return Exclude(TradeDisposition.PriceDeviation);
        }

        _tally.Add(TradeDisposition.Accepted);
        if (_open is null)
        {
            _open = new BarBuilder(start, trade.Timestamp, trade.Price, trade.Size);
            return AggregationStep.AcceptedWithoutBars;
        }

        if (start == _open.Start)
        {
            _open.Fold(trade.Timestamp, trade.Price, trade.Size);
            return AggregationStep.AcceptedWithoutBars;
        }

        var completed = Emit();
        _open = new BarBuilder(start, trade.Timestamp, trade.Price, trade.Size);
        return new AggregationStep(TradeDisposition.Accepted, [completed]);
    }

    /// <summary>
    /// Builds the open bar again from <paramref name="trades"/> (in arrival order), the prints it holds after a venue
    /// corrected or cancelled one of them; none leaves no bar open. They are not screened again: the bar accepted them.
    /// </summary>
    public void RebuildOpen(IEnumerable<TradeTick> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        var start = _open?.Start ?? throw new InvalidOperationException("No open bar to rebuild.");
        BarBuilder? rebuilt = null;
        foreach (var trade in trades)
        {
            if (rebuilt is null)
            {
                rebuilt = new BarBuilder(start, trade.Timestamp, trade.Price, trade.Size);
            }
            else
            {
                rebuilt.Fold(trade.Timestamp, trade.Price, trade.Size);
            }
        }

        _open = rebuilt;
    }

    /// <summary>Emits the open bar if <paramref name="now"/> is at or past its end; otherwise returns null.</summary>
    public Bar? Flush(DateTimeOffset now)
    {
        if (_open is null || now < _open.Start + Interval)
        {
            return null;
        }

        return Emit();
    }

    private Bar Emit()
    {
        var open = _open ?? throw new InvalidOperationException("No open bar to emit.");
        var bar = open.ToBar(Symbol, open.Start, Interval);
        _emittedUntil = bar.End;
        _lastEmittedClose = bar.Close;
        _open = null;
        return bar;
    }

    private AggregationStep Exclude(TradeDisposition disposition)
    {
        _tally.Add(disposition);
        return AggregationStep.Excluded(disposition);
    }
}
