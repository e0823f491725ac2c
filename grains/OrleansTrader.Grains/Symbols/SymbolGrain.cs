using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Bars;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.MarketData.Validation;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Symbols;

/// <summary>
/// One symbol's market data. Every tick passes the MarketData <see cref="TickValidator"/> (rejections counted by reason,
/// duplicates included); accepted ticks update the last trade/quote, feed the 1-second and 1-minute domain aggregators,
/// go out on "ticks"/symbol (completed bars on "bars"/symbol) and to the paper exchange, except a late quote (stamped before
/// the last quote) and a print stamped more than <see cref="SymbolGrainOptions.BarCloseDelay"/> before the last trade; a
/// trade stamped far ahead of the clock stays out of the bars (<see cref="FarAheadOfTheBars"/>). A
/// bar completes on the first trade (or feed bar) of a later interval; when none comes (the session's last trades, a quiet
/// symbol) live data's bar completes once its interval has ended on the clock, and a replay's when the feed ends
/// (<see cref="CloseBarsAsync"/>). The last trade and quote are saved when they changed, every
/// <see cref="SymbolGrainOptions.PersistInterval"/> and on deactivation (never per tick), and restored on activation, so a
/// symbol collected or restarted while the feed is silent (a weekend) still quotes the last session. Restored, they are not
/// data received: the symbol reports itself stale until the feed prints, they do not go to the paper exchange, and the
/// feed's first tick replaces them. Bars, counters, the duplicate window and the replay position are not saved: they flow
/// again from the feed.
/// A venue's correction or cancel of a recent print (<see cref="TickBatch.Amendments"/>) amends the last trade and the
/// open bars; bars already published are not retracted (counted).
/// </summary>
internal sealed partial class SymbolGrain(
    [PersistentState("symbol")] IPersistentState<SymbolGrainState> state,
    TimeProvider time, IOptions<SymbolGrainOptions> options, IOptions<TickValidatorOptions> validatorOptions, ILogger<SymbolGrain> logger)
    : Grain, ISymbolGrain
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);

    /// <summary>Recent accepted trades kept for corrections and cancels, beyond those of the open bars (always kept).</summary>
    private const int RecentTradesKept = 4096;
    private readonly SymbolGrainOptions _options = options.Value;
    // The silo's MarketData:Validation (bound and validated at startup when a feed is configured; the defaults otherwise).
    private readonly TickValidator _validator = new(validatorOptions.Value);

    // A flagged print the validation accepts (RejectSuspiciousPrints=false) is a real trade: it belongs in the bars too.
    private readonly TradeFilterOptions _barFilter = new() { ExcludeSourceFlagged = validatorOptions.Value.RejectSuspiciousPrints };
    private readonly long[] _rejected = new long[Enum.GetValues<RejectionReason>().Length];
    private readonly Queue<Bar> _secondBars = new();
    private readonly Queue<Bar> _minuteBars = new();
    private readonly RecentStarts _publishedSeconds = new();
    private readonly RecentStarts _publishedMinutes = new();

    // Oldest first: a correction or cancel finds its print here, and the last trade and the open bars are built again from it.
    private readonly RecentTradeRing _recentTrades = new();
    private TimeBarAggregator? _seconds;
    private TimeBarAggregator? _minutes;
    private IAsyncStream<MarketTick>? _ticks;
    private IAsyncStream<Bar>? _bars;
    private IAsyncStream<Bar>? _secondBarStream;
    private PaperExchange? _paper;
    private TradeTick? _lastTrade;
    private QuoteTick? _lastQuote;

    // The last trade and quote of an earlier activation, read from storage: shown until the feed gives one of this
    // activation. Kept apart so the per-tick path compares with this activation's ticks only (a replay stamped before a
    // restored live quote still becomes the last) and never hands them on as new.
    private TradeTick? _restoredTrade;
    private QuoteTick? _restoredQuote;

    // Set per batch that carried an accepted trade or quote; the persist timer writes only then.
    private bool _unsaved;

    // The saves failing in a row (storage down): warned of once per symbol, not at every interval until it is back.
    private FailureStreak? _saveFailures;

    private DateTimeOffset? _lastReceivedAt;

    /// <summary>
    /// When <see cref="_lastReceivedAt"/> was taken, as a <see cref="TimeProvider.GetTimestamp"/>: staleness counts elapsed
    /// time, so a wall-clock step neither reports a symbol that printed a second ago stale nor one silent since it fresh.
    /// </summary>
    private long _lastReceivedTimestamp;
    private DateTimeOffset? _newestTickAt;
    private long _acceptedTrades;
    private long _acceptedQuotes;
    private long _barsPublished;
    private long _wrongSymbol;
    private long _unsupportedBars;
    private long _secondBarsPublished;
    private long _replayPosition;
    private long _tradesCorrected;
    private long _tradesCancelled;
    private long _unknownTradeIds;
    private long _amendmentsOfPublishedBars;
    private long _tradesAheadOfClock;

    // The newest stamp among the trades handed to the bars: a print far ahead of both it and the clock stays out of them.
    private DateTimeOffset? _newestBarTradeAt;
    private bool _wasStale = true;
    private bool _liveData;
    private string _symbol = string.Empty;

    private string Symbol => _symbol;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _symbol = this.GetPrimaryKeyString();
        _seconds = new TimeBarAggregator(Symbol, OneSecond, _barFilter);
        _minutes = new TimeBarAggregator(Symbol, OneMinute, _barFilter);
        var memory = this.GetStreamProvider(StreamNames.MemoryProvider);
        _ticks = memory.GetStream<MarketTick>(StreamId.Create(StreamNames.Ticks, Symbol));
        _bars = memory.GetStream<Bar>(StreamId.Create(StreamNames.Bars, Symbol));
        _secondBarStream = memory.GetStream<Bar>(StreamId.Create(StreamNames.SecondBars, Symbol));
        _paper = _options.ForwardToPaperExchange ? ServiceProvider.GetService<PaperExchange>() : null;
        _restoredTrade = state.State.LastTrade;
        _restoredQuote = state.State.LastQuote;
        RegisterGrainTimer(CheckStaleAsync, _options.StaleAfter, _options.StaleAfter);
        RegisterGrainTimer(CloseEndedBarsAsync, OneSecond, OneSecond);
        RegisterGrainTimer(SaveAsync, _options.PersistInterval, _options.PersistInterval);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => SaveAsync(cancellationToken);

    public async Task<IngestResult> IngestAsync(TickBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var ticks = new List<MarketTick>(batch.Trades.Count + batch.Quotes.Count);
        var venueTicks = _paper is null ? null : new List<MarketTick>(ticks.Capacity);
        var bars = new List<Bar>();
        var secondBars = new List<Bar>();
        var (accepted, rejected) = Screen(batch, ticks, venueTicks, bars, secondBars);

        // Taken in once screened: the counts, bars and duplicate window hold the batch now, so a replay must not send it
        // again, even when its call timed out meanwhile.
        if (batch.ReplayPosition is { } position && position > _replayPosition)
        {
            _replayPosition = position;
        }

        if (_paper is not null)
        {
            foreach (var tick in venueTicks!)
            {
                if (tick.Trade is { } trade)
                {
                    await _paper.UpdateTradeAsync(trade);
                }
                else
                {
                    await _paper.UpdateQuoteAsync(tick.Quote!);
                }
            }
        }

        if (accepted > 0)
        {
            _lastReceivedAt = time.GetUtcNow();
            _lastReceivedTimestamp = time.GetTimestamp();

            // Live data is stamped about when it arrives; a replay's (or a backfill's) is not, so its clock is not ours. The
            // newest tick decides, not the last to arrive: a late-reported print (stamped minutes back) may come last, alone in
            // its batch, and must not make live data look like a replay whose bars close only on a later trade. A tick stamped
            // too far ahead of the clock is not trusted to be the newest.
            if (ticks.Count > 0)
            {
                var received = _lastReceivedAt.Value;
                foreach (var tick in ticks)
                {
                    var stamp = tick.Trade?.Timestamp ?? tick.Quote!.Timestamp;
                    if (stamp - received <= _options.StaleAfter && (_newestTickAt is not { } newest || stamp > newest))
                    {
                        _newestTickAt = stamp;
                    }
                }

                _liveData = _newestTickAt is { } newestTick && (received - newestTick).Duration() <= _options.StaleAfter;
            }

            if (_wasStale)
            {
                _wasStale = false;
                SymbolLog.Fresh(logger, Symbol);
            }
        }

        if (ticks.Count > 0)
        {
            _unsaved = true;
            await _ticks!.OnNextBatchAsync(ticks);
        }

        await PublishBarsAsync(secondBars, bars);
        return new IngestResult(accepted, rejected);
    }

    public Task CloseBarsAsync() => CloseBarsEndedByAsync(DateTimeOffset.MaxValue);

    public Task<long> GetReplayPositionAsync() => Task.FromResult(_replayPosition);

    public Task<SymbolQuote> GetQuoteAsync()
    {
        var now = time.GetUtcNow();
        return Task.FromResult(new SymbolQuote
        {
            Symbol = Symbol,
            LastTrade = _lastTrade ?? _restoredTrade,
            LastQuote = _lastQuote ?? _restoredQuote,
            LastReceivedAt = _lastReceivedAt,
            IsStale = IsStale(),
            AsOf = now,
        });
    }

    public Task<IReadOnlyList<Bar>> GetBarsAsync(TimeSpan interval, DateTimeOffset from, DateTimeOffset to)
    {
        var source = interval == OneSecond ? _secondBars : interval == OneMinute ? _minuteBars : null;
        if (source is null)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "Bars are kept for 1 second and 1 minute intervals.");
        }

        // Kept in the order they went out, which is not always time order: a feed's bar of a minute the trades left empty
        // may come after a later minute's bar.
        return Task.FromResult<IReadOnlyList<Bar>>([.. source.Where(b => b.Start >= from && b.Start < to).OrderBy(b => b.Start)]);
    }

    public Task<SymbolDataStats> GetStatsAsync()
    {
        var byReason = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var reason in Enum.GetValues<RejectionReason>())
        {
            if (reason != RejectionReason.None && _rejected[(int)reason] > 0)
            {
                byReason[reason.ToString()] = _rejected[(int)reason];
            }
        }

        if (_wrongSymbol > 0)
        {
            byReason["WrongSymbol"] = _wrongSymbol;
        }

        if (_unsupportedBars > 0)
        {
            byReason["UnsupportedBarInterval"] = _unsupportedBars;
        }

        if (_unknownTradeIds > 0)
        {
            byReason["UnknownTradeId"] = _unknownTradeIds;
        }

        return Task.FromResult(new SymbolDataStats
        {
            Symbol = Symbol,
            AcceptedTrades = _acceptedTrades,
            AcceptedQuotes = _acceptedQuotes,
            RejectedByReason = byReason,
            BarsPublished = _barsPublished,
            SecondBarsPublished = _secondBarsPublished,
            TradesCorrected = _tradesCorrected,
            TradesCancelled = _tradesCancelled,
            AmendmentsOfPublishedBars = _amendmentsOfPublishedBars,
            TradesAheadOfClock = _tradesAheadOfClock,
        });
    }

    /// <summary>
    /// Whether a tick stamped <paramref name="incoming"/> becomes the last one: the newest by timestamp, except that a last
    /// one stamped ahead of the clock by more than <see cref="SymbolGrainOptions.StaleAfter"/> (a skewed or bad feed) is
    /// not trusted to be newer, or it would hold the quote (and deny the symbol's orders) until the clock caught up.
    /// </summary>
    private bool Supersedes(DateTimeOffset incoming, DateTimeOffset? current) =>
        current is not { } stamp || incoming >= stamp || stamp - time.GetUtcNow() > _options.StaleAfter;

    /// <summary>
    /// Whether a trade is stamped more than <see cref="SymbolGrainOptions.StaleAfter"/> ahead of the clock and of the newest
    /// trade in the bars (a feed's clock or time zone wrong, a bad stamp): it stays a tick, out of the bars, counted and
    /// the first per symbol logged. In the bars it closed the open bar at once and opened one as far ahead, which took
    /// every correctly stamped print after it as late: no bar until the clock caught up. A feed running ahead step by
    /// step (an unpaced synthetic feed) stays near its newest trade and keeps its bars; the first trade of an activation
    /// has nothing to be judged against and goes into them wherever it is stamped (a feed started ahead of the clock).
    /// </summary>
    private bool FarAheadOfTheBars(DateTimeOffset stamp)
    {
        if (_newestBarTradeAt is not { } newest || stamp - newest <= _options.StaleAfter || stamp - time.GetUtcNow() <= _options.StaleAfter)
        {
            if (_newestBarTradeAt is not { } kept || stamp > kept)
            {
                _newestBarTradeAt = stamp;
            }

            return false;
        }

        if (_tradesAheadOfClock++ == 0)
        {
            SymbolLog.TradeAheadOfClock(logger, Symbol, stamp, _options.StaleAfter);
        }

        return true;
    }

    private bool IsStale() => _lastReceivedAt is null || time.GetElapsedTime(_lastReceivedTimestamp) > _options.StaleAfter;

    /// <summary>
    /// Validates and aggregates a batch without awaiting anything (the per-tick work stays out of the async state
    /// machine): trades and quotes merged by timestamp, quotes first on ties, so a trade is matched against the quote
    /// that preceded it, and feed bars by their end (before the ticks stamped at or after it); corrections and cancels
    /// after the trades the feed delivered before them; accepted ticks in that order (those for the paper exchange in
    /// <paramref name="venueTicks"/>), completed bars.
    /// </summary>
    private (int Accepted, int Rejected) Screen(TickBatch batch, List<MarketTick> ticks, List<MarketTick>? venueTicks, List<Bar> bars, List<Bar> secondBars)
    {
        var trades = batch.Trades;
        var quotes = batch.Quotes;
        var feedBars = batch.Bars;
        var amendments = batch.Amendments;
        var accepted = 0;
        int t = 0, q = 0, b = 0, a = 0;
        while (t < trades.Count || q < quotes.Count)
        {
            var takeQuote = q < quotes.Count && (t >= trades.Count || quotes[q].Timestamp <= trades[t].Timestamp);
            for (; !takeQuote && a < amendments.Count && amendments[a].TradesBefore <= t; a++)
            {
                accepted += Amend(amendments[a]) ? 1 : 0;
            }

            // A feed bar is known at its end: it goes before the ticks after that, where the feed delivered it, so the
            // bars the later trades complete do not go out ahead of it.
            var at = takeQuote ? quotes[q].Timestamp : trades[t].Timestamp;
            for (; b < feedBars.Count && feedBars[b].End <= at; b++)
            {
                accepted += AcceptBar(feedBars[b], feedBars[b].Interval == OneSecond ? secondBars : bars) ? 1 : 0;
            }

            if (takeQuote ? AcceptQuote(quotes[q++], ticks, venueTicks) : AcceptTrade(trades[t++], ticks, venueTicks, bars, secondBars))
            {
                accepted++;
            }
        }

        for (; b < feedBars.Count; b++)
        {
            accepted += AcceptBar(feedBars[b], feedBars[b].Interval == OneSecond ? secondBars : bars) ? 1 : 0;
        }

        for (; a < amendments.Count; a++)
        {
            accepted += Amend(amendments[a]) ? 1 : 0;
        }

        return (accepted, trades.Count + quotes.Count + feedBars.Count + amendments.Count - accepted);
    }

    private bool AcceptTrade(TradeTick trade, List<MarketTick> ticks, List<MarketTick>? venueTicks, List<Bar> bars, List<Bar> secondBars)
    {
        if (!IsMine(trade.Symbol) || !Counted(_validator.ValidateTrade(trade)))
        {
            return false;
        }

        _acceptedTrades++;

        var tick = new MarketTick(trade, null);
        ticks.Add(tick);

        // A late print (reported late, or a replay row that goes back in time) is a tick, not the newest trade. Nor does the
        // paper exchange get one from longer ago than prints still on their way (BarCloseDelay): it triggered stops, moved
        // trailing stops and filled limits resting since, at a price the market had left.
        var last = _lastTrade?.Timestamp;
        var newest = Supersedes(trade.Timestamp, last);
        if (newest)
        {
            _lastTrade = trade;
        }

        if (newest || last - trade.Timestamp <= _options.BarCloseDelay)
        {
            venueTicks?.Add(tick);
        }

        if (FarAheadOfTheBars(trade.Timestamp))
        {
            Remember(new RecentTrade { Trade = trade });
            return true;
        }

        var (inSecondBar, inMinuteBar) = Aggregate(trade, bars, secondBars);
        Remember(new RecentTrade { Trade = trade, InSecondBar = inSecondBar, InMinuteBar = inMinuteBar });
        return true;
    }

    /// <summary>
    /// Keeps an accepted trade for corrections and cancels: the last <see cref="RecentTradesKept"/>, and every print of the
    /// open bars however many, so an open bar can always be built again (its prints are a bar interval's, so bounded).
    /// </summary>
    private void Remember(in RecentTrade trade)
    {
        _recentTrades.Add(trade);
        while (_recentTrades.Count > RecentTradesKept && (_recentTrades[0].Removed || !InOpenBar(_recentTrades[0])))
        {
            _recentTrades.RemoveOldest();
        }
    }

    private bool InOpenBar(in RecentTrade recent) =>
        (recent.InSecondBar && _seconds!.OpenStart == _seconds.AlignStart(recent.Trade.Timestamp))
        || (recent.InMinuteBar && _minutes!.OpenStart == _minutes.AlignStart(recent.Trade.Timestamp));

    /// <summary>
    /// A venue's correction or cancel of a recent print. The print leaves the recent trades (a correction's print, validated
    /// as a trade, takes its place and its time; rejected, the busted print goes all the same); the open bars it was in are
    /// built again, and the last trade too when it was that print. A bar already published is not retracted: the
    /// strategies acted on it (counted, logged once per symbol). A print the grain does not keep (unknown, or older than
    /// the recent trades) counts as "UnknownTradeId" and changes nothing.
    /// </summary>
    /// <returns>Whether the print was found and amended.</returns>
    private bool Amend(TradeAmendment amendment)
    {
        if (!IsMine(amendment.Symbol))
        {
            return false;
        }

        var index = _recentTrades.Count - 1;
        while (index >= 0 && (_recentTrades[index].Removed || !IsAmended(_recentTrades[index].Trade, amendment)))
        {
            index--;
        }

        if (index < 0)
        {
            if (AmendRestored(amendment))
            {
                return true;
            }

            _unknownTradeIds++;
            return false;
        }

        ref var recent = ref _recentTrades[index];
        var original = recent.Trade;
        var corrected = Apply(amendment, original);

        // A cancelled print is marked, not moved: the ring keeps arrival order, and the mark leaves with the oldest.
        if (corrected is null)
        {
            recent.Removed = true;
        }
        else
        {
            recent.Trade = corrected;
        }

        var published = (recent.InSecondBar && !RebuildOpenBar(_seconds!, original, inMinuteBars: false))
            | (recent.InMinuteBar && !RebuildOpenBar(_minutes!, original, inMinuteBars: true));
        if (published && _amendmentsOfPublishedBars++ == 0)
        {
            SymbolLog.PublishedBarNotAmended(logger, Symbol, amendment.TradeId, original.Timestamp);
        }

        if (ReferenceEquals(original, _lastTrade))
        {
            // The saved last trade changes too: a cancel or correction comes alone in its batch (no tick marks the state
            // unsaved), and a write left behind would restore the busted print after a restart.
            _unsaved = true;

            // The newest of the prints kept, by the rule that made the last trade.
            _lastTrade = null;
            for (var i = 0; i < _recentTrades.Count; i++)
            {
                ref readonly var kept = ref _recentTrades[i];
                if (!kept.Removed && Supersedes(kept.Trade.Timestamp, _lastTrade?.Timestamp))
                {
                    _lastTrade = kept.Trade;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// A cancel or correction of the restored last trade: its print is not among this activation's recent trades (the
    /// grain was collected or restarted after it), but left alone the busted print would stay the last trade shown, the
    /// accounts' mark, until the feed prints again (a weekend, for a late cancel after the close).
    /// </summary>
    private bool AmendRestored(TradeAmendment amendment)
    {
        if (_restoredTrade is not { } restored || !IsAmended(restored, amendment))
        {
            return false;
        }

        _restoredTrade = Apply(amendment, restored);
        _unsaved = true;
        return true;
    }

    /// <summary>
    /// Counts an amendment of <paramref name="original"/> and gives the print that takes its place: the correction at the
    /// original's time, validated as a trade (a rejection is counted by its reason), or null for a cancel or a rejected
    /// correction (the busted print goes all the same).
    /// </summary>
    private TradeTick? Apply(TradeAmendment amendment, TradeTick original)
    {
        if (amendment.Corrected is not { } correction)
        {
            _tradesCancelled++;
            return null;
        }

        _tradesCorrected++;
        var corrected = correction with { Timestamp = original.Timestamp };
        return IsMine(corrected.Symbol) && Counted(_validator.ValidateTrade(corrected)) ? corrected : null;
    }

    private static bool IsAmended(TradeTick trade, TradeAmendment amendment) =>
        trade.SourceId == amendment.TradeId
        && (amendment.Exchange is null || trade.Exchange is null || string.Equals(trade.Exchange, amendment.Exchange, StringComparison.Ordinal));

    /// <summary>Builds the open bar again from the kept prints of its interval; false when the print's bar is no longer open.</summary>
    private bool RebuildOpenBar(TimeBarAggregator aggregator, TradeTick amended, bool inMinuteBars)
    {
        var start = aggregator.AlignStart(amended.Timestamp);
        if (aggregator.OpenStart != start)
        {
            return false;
        }

        var prints = new List<TradeTick>();
        for (var i = 0; i < _recentTrades.Count; i++)
        {
            ref readonly var kept = ref _recentTrades[i];
            if (!kept.Removed && (inMinuteBars ? kept.InMinuteBar : kept.InSecondBar) && aggregator.AlignStart(kept.Trade.Timestamp) == start)
            {
                prints.Add(kept.Trade);
            }
        }

        aggregator.RebuildOpen(prints);
        return true;
    }

    private bool AcceptQuote(QuoteTick quote, List<MarketTick> ticks, List<MarketTick>? venueTicks)
    {
        if (!IsMine(quote.Symbol) || !Counted(_validator.ValidateQuote(quote)))
        {
            return false;
        }

        _acceptedQuotes++;
        var tick = new MarketTick(null, quote);
        ticks.Add(tick);

        // The paper exchange's standing quote is the symbol's last quote: a late one (stamped before it) given to the venue
        // replaced its touch, and a market order filled at that older price while the account had priced it at the last.
        if (Supersedes(quote.Timestamp, _lastQuote?.Timestamp))
        {
            _lastQuote = quote;
            venueTicks?.Add(tick);
        }

        return true;
    }

    private bool AcceptBar(Bar bar, List<Bar> output)
    {
        // Only 1 s and 1 min bars are kept and streamed: a daily bar (a CSV replay of daily files) is neither a minute bar
        // nor a second bar, and must not move the bar band either.
        if (!IsMine(bar.Symbol))
        {
            return false;
        }

        if (bar.Interval != OneSecond && bar.Interval != OneMinute)
        {
            _unsupportedBars++;
            return false;
        }

        if (!Counted(_validator.ValidateBar(bar)))
        {
            return false;
        }

        // A feed that sends bars and trades (Alpaca's default) gives each minute twice: the bar the trades built, and its own.
        var published = bar.Interval == OneSecond ? _publishedSeconds : _publishedMinutes;
        if (!published.TryAdd(bar.Start))
        {
            _rejected[(int)RejectionReason.Duplicate]++;
            return false;
        }

        var kept = bar.Interval == OneSecond ? _secondBars : _minuteBars;
        var max = bar.Interval == OneSecond ? _options.SecondBarsKept : _options.MinuteBarsKept;

        // A feed bar of a later interval ends the trades' open bar as a later trade would (its interval is over in the
        // data): published first, or the bars would go out and be kept newest before oldest.
        if ((bar.Interval == OneSecond ? _seconds : _minutes)!.Flush(bar.Start) is { } earlier)
        {
            Collect(earlier, published, kept, max, output);
        }

        Keep(kept, bar, max);
        output.Add(bar);
        return true;
    }

    /// <summary>Data for another symbol is rejected and counted as "WrongSymbol", outside the validator's reasons.</summary>
    private bool IsMine(string symbol)
    {
        if (string.Equals(symbol, _symbol, StringComparison.Ordinal))
        {
            return true;
        }

        _wrongSymbol++;
        return false;
    }

    private bool Counted(ValidationResult result)
    {
        if (result.IsAccepted)
        {
            return true;
        }

        _rejected[(int)result.Reason]++;
        return false;
    }

    /// <returns>Whether the trade went into the 1 s and the 1 min bars (not late, not flagged).</returns>
    private (bool InSecondBar, bool InMinuteBar) Aggregate(TradeTick trade, List<Bar> bars, List<Bar> secondBars)
    {
        var second = _seconds!.Add(trade);
        foreach (var bar in second.Completed)
        {
            Collect(bar, _publishedSeconds, _secondBars, _options.SecondBarsKept, secondBars);
        }

        var minute = _minutes!.Add(trade);
        foreach (var bar in minute.Completed)
        {
            Collect(bar, _publishedMinutes, _minuteBars, _options.MinuteBarsKept, bars);
        }

        return (second.Disposition == TradeDisposition.Accepted, minute.Disposition == TradeDisposition.Accepted);
    }

    /// <summary>An accepted trade kept for corrections and cancels, and whether it went into the 1 s and 1 min bars.</summary>
    private struct RecentTrade
    {
        /// <summary>The print, or the one a correction replaced it with.</summary>
        public TradeTick Trade;
        public bool InSecondBar;
        public bool InMinuteBar;

        /// <summary>Cancelled: kept in place until it is the oldest, skipped by every search.</summary>
        public bool Removed;
    }

    /// <summary>
    /// The recent trades in arrival order, oldest at index 0, in a ring of structs: every accepted trade is added, so the
    /// per-tick path allocates nothing (it grows only while an open bar holds more prints than it has room for).
    /// </summary>
    private sealed class RecentTradeRing
    {
        private RecentTrade[] _items = new RecentTrade[64];
        private int _head;

        public int Count { get; private set; }

        public ref RecentTrade this[int index] => ref _items[(_head + index) & (_items.Length - 1)];

        public void Add(in RecentTrade trade)
        {
            if (Count == _items.Length)
            {
                var grown = new RecentTrade[_items.Length * 2];
                for (var i = 0; i < Count; i++)
                {
                    grown[i] = this[i];
                }

                _items = grown;
                _head = 0;
            }

            this[Count++] = trade;
        }

        public void RemoveOldest()
        {
            _items[_head] = default;
            _head = (_head + 1) & (_items.Length - 1);
            Count--;
        }
    }

    /// <summary>
    /// A completed bar of the trades is kept and published, unless its interval was already published (a feed's bar): then
    /// it is the duplicate of that minute, counted as a late feed bar is.
    /// </summary>
    private void Collect(Bar bar, RecentStarts published, Queue<Bar> kept, int max, List<Bar> output)
    {
        if (published.TryAdd(bar.Start))
        {
            Keep(kept, bar, max);
            output.Add(bar);
        }
        else
        {
            _rejected[(int)RejectionReason.Duplicate]++;
        }
    }

    /// <summary>
    /// The starts of the latest bars published for one interval (bounded), so no interval is published twice. A start at or
    /// before the latest one forgotten may have been published: it is refused, or a feed bar arriving more than
    /// <see cref="Capacity"/> intervals late would go out a second time (and out of order).
    /// </summary>
    private sealed class RecentStarts
    {
        private const int Capacity = 64;
        private readonly HashSet<DateTimeOffset> _starts = [];
        private readonly Queue<DateTimeOffset> _order = new();
        private DateTimeOffset? _forgottenUpTo;

        public bool TryAdd(DateTimeOffset start)
        {
            if (start <= _forgottenUpTo || !_starts.Add(start))
            {
                return false;
            }

            _order.Enqueue(start);
            if (_order.Count > Capacity)
            {
                var forgotten = _order.Dequeue();
                _starts.Remove(forgotten);
                if (_forgottenUpTo is not { } upTo || forgotten > upTo)
                {
                    _forgottenUpTo = forgotten;
                }
            }

            return true;
        }
    }

    private static void Keep(Queue<Bar> queue, Bar bar, int max)
    {
        queue.Enqueue(bar);
        while (queue.Count > max)
        {
            queue.Dequeue();
        }
    }

    /// <summary>
    /// Live data's open bars close once their interval has ended on the clock (after <see cref="SymbolGrainOptions.BarCloseDelay"/>
    /// for prints still on their way): the session's last bar has no next trade to close it. A replay's data time is not
    /// the clock's, so its bars close on the next trade or when the feed ends. The clock is the last receipt's advanced by
    /// the time elapsed since: read afresh, a wall clock stepped an hour forward closed the open bar at once, and the venue's
    /// later prints of its interval were counted late and left out of it.
    /// </summary>
    private Task CloseEndedBarsAsync(CancellationToken cancellationToken) =>
        _liveData && _lastReceivedAt is { } received
            ? CloseBarsEndedByAsync(received + time.GetElapsedTime(_lastReceivedTimestamp) - _options.BarCloseDelay)
            : Task.CompletedTask;

    private Task CloseBarsEndedByAsync(DateTimeOffset now)
    {
        var second = _seconds?.Flush(now);
        var minute = _minutes?.Flush(now);
        if (second is null && minute is null)
        {
            return Task.CompletedTask;
        }

        var secondBars = new List<Bar>(1);
        var bars = new List<Bar>(1);
        if (second is not null)
        {
            Collect(second, _publishedSeconds, _secondBars, _options.SecondBarsKept, secondBars);
        }

        if (minute is not null)
        {
            Collect(minute, _publishedMinutes, _minuteBars, _options.MinuteBarsKept, bars);
        }

        return PublishBarsAsync(secondBars, bars);
    }

    private async Task PublishBarsAsync(List<Bar> secondBars, List<Bar> bars)
    {
        if (secondBars.Count > 0)
        {
            _secondBarsPublished += secondBars.Count;
            await _secondBarStream!.OnNextBatchAsync(secondBars);
        }

        if (bars.Count > 0)
        {
            _barsPublished += bars.Count;
            await _bars!.OnNextBatchAsync(bars);
        }
    }

    /// <summary>
    /// Writes the last trade and quote when a batch changed them since the last write. A failed write is logged and tried
    /// again at the next interval: ingestion never waits on storage nor fails with it.
    /// </summary>
    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        if (!_unsaved)
        {
            return;
        }

        _unsaved = false;
        state.State.LastTrade = _lastTrade ?? _restoredTrade;
        state.State.LastQuote = _lastQuote ?? _restoredQuote;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _unsaved = true;
            _saveFailures ??= new FailureStreak(time);
            if (_saveFailures.Fail())
            {
                SymbolLog.SaveFailed(logger, Symbol, ex);
            }
            else
            {
                SymbolLog.SaveFailedAgain(logger, Symbol, ex, _saveFailures.Failures);
            }

            return;
        }

        if (_saveFailures?.Succeed() is { } ended)
        {
            SymbolLog.SavedAgain(logger, Symbol, ended.Failures, ended.Lasted);
        }
    }

    private Task CheckStaleAsync(CancellationToken cancellationToken)
    {
        if (!_wasStale && IsStale())
        {
            _wasStale = true;
            SymbolLog.Stale(logger, Symbol, _lastReceivedAt);
        }

        return Task.CompletedTask;
    }
}
