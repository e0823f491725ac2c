using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Bars;

/// <summary>
/// Builds bars of exactly <see cref="VolumePerBar"/> volume from trades in arrival order. A trade larger than the
/// room left in the open bar is split: the part that fills the bar completes it, the rest opens the next bar (and
/// may complete several), each part counted as one trade of its bar. A bar's start is its earliest trade time and
/// its interval reaches its latest. A trade timestamped before the last trade of an emitted bar is late: counted,
/// not folded. Volume is conserved: accepted size = emitted volume + pending volume.
/// </summary>
public sealed class VolumeBarAggregator
{
    private readonly TradeFilterOptions _options;
    private readonly AggregationTally _tally = new();
    private readonly DeviationFilter _deviation;
    private BarBuilder? _open;
    private DateTimeOffset? _emittedUntil;
    private decimal? _lastEmittedClose;

    public VolumeBarAggregator(string symbol, decimal volumePerBar, TradeFilterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        if (volumePerBar <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(volumePerBar), volumePerBar, $"volumePerBar must be > 0; got {volumePerBar}.");
        }

        _options = options ?? TradeFilterOptions.Default;
        _options.Validate();
        _deviation = new DeviationFilter(_options);
        Symbol = symbol;
        VolumePerBar = volumePerBar;
    }

    public string Symbol { get; }

    public decimal VolumePerBar { get; }

    public AggregationCounts Counts => _tally.ToCounts();

    /// <summary>The partial bar being built, or null when none is pending.</summary>
    public Bar? Pending => _open is null ? null : ToBar(_open);

    public AggregationStep Add(TradeTick trade)
    {
        ArgumentNullException.ThrowIfNull(trade);
        var disposition = TradeScreen.Classify(trade, Symbol, _options);
        if (disposition == TradeDisposition.Accepted && _emittedUntil is { } until && trade.Timestamp < until)
        {
            disposition = TradeDisposition.Late;
        }

        if (disposition == TradeDisposition.Accepted && _deviation.Excludes(trade.Price, _open?.Close ?? _lastEmittedClose))
        {
            disposition = TradeDisposition.PriceDeviation;
        }

        _tally.Add(disposition);
        if (disposition != TradeDisposition.Accepted)
        {
            return AggregationStep.Excluded(disposition);
        }

        var completed = new List<Bar>();
        var remaining = trade.Size;
        while (remaining > 0m)
        {
            var room = VolumePerBar - (_open?.Volume ?? 0m);
            var part = Math.Min(room, remaining);
            if (_open is null)
            {
                _open = new BarBuilder(trade.Timestamp, trade.Timestamp, trade.Price, part);
            }
            else
            {
                _open.Fold(trade.Timestamp, trade.Price, part);
            }

            remaining -= part;
            if (_open.Volume == VolumePerBar)
            {
                var bar = ToBar(_open);
                completed.Add(bar);
                _emittedUntil = _open.CloseTime;
                _lastEmittedClose = bar.Close;
                _open = null;
            }
        }

        return new AggregationStep(TradeDisposition.Accepted, completed);
    }

    private Bar ToBar(BarBuilder builder) =>
        builder.ToBar(Symbol, builder.OpenTime, builder.CloseTime - builder.OpenTime);
}
