using OrleansTrader.Domain;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTrader.Domain.Market;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.MarketData;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Events;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// Feeds the configured market data feed into the symbol grains, in batches per symbol and in feed order, and tells the
/// global breaker when data last arrived (its stale-data trigger). A failed feed is restarted with backoff and logged,
/// except a replay whose file cannot be read, which stops (started again, it would deliver its rows twice). A replay
/// that failed otherwise (a symbol grain call timed out) resumes after the last events the symbol grains took in, not
/// from its first row: older ticks sent again would reach the strategies and the paper exchange a second time (the
/// symbol grain's duplicate window holds only the last keys). A call that timed out may still have run in its grain, so
/// the grain is asked for the replay position it has reached (<see cref="ISymbolGrain.GetReplayPositionAsync"/>). When the feed ends, the symbols' open bars are closed.
/// A replay has no clock to keep up with, so after each batch it waits until the symbols' memory streams are at most
/// half full: it runs as fast as the subscribers consume instead of overflowing the bounded queues (dropped ticks).
/// A live feed does not wait: a subscriber that falls behind loses ticks (counted), it does not delay the feed.
/// </summary>
internal sealed partial class MarketFeedPump(IMarketDataFeed feed, IClusterClient client, TimeProvider time, ILogger<MarketFeedPump> logger,
    StrategyResumption? resumption = null)
    : BackgroundService
{
    private const int MaxBatch = 4096;
    private static readonly string[] SymbolStreams = [StreamNames.Ticks, StreamNames.SecondBars, StreamNames.Bars];
    /// <summary>A replay: it waits for slow subscribers (nothing is lost by waiting), and its end is the end of its data.</summary>
    private readonly bool _isReplay = feed is CsvReplayFeed;
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);
    private readonly HashSet<string> _symbols = new(StringComparer.Ordinal);

    /// <summary>A replay's position: how many of its events (in its deterministic order) every symbol grain has taken in.</summary>
    private long _replayPosition;

    /// <summary>After a batch only some symbol grains took in: the position each of those has reached beyond <see cref="_replayPosition"/>.</summary>
    private readonly Dictionary<string, long> _symbolPositions = new(StringComparer.Ordinal);
    /// <summary>When the newest market data arrived, as a <see cref="TimeProvider.GetTimestamp"/>; valid once <see cref="_received"/> is 1.</summary>
    private long _lastReceivedTimestamp;
    private int _received;
    private long _events;
    private int _replayEnded;

    /// <summary>
    /// When the newest event arrived, or null before the first: the silo clock's now less the time elapsed since, so a
    /// wall-clock step moves it with the clock. A stamp kept from arrival looked an hour old the moment the clock stepped an
    /// hour forward (the global breaker and readiness judged a live feed stale), and an hour ahead once it was set back
    /// (a feed that died then was judged fresh for the hour).
    /// </summary>
    public DateTimeOffset? LastReceivedAt =>
        Volatile.Read(ref _received) == 1 ? time.GetUtcNow() - time.GetElapsedTime(Interlocked.Read(ref _lastReceivedTimestamp)) : null;

    public long EventsDelivered => Interlocked.Read(ref _events);

    /// <summary>True once a replay has delivered its last row: its silence after that is the end of its data, not a stale feed.</summary>
    public bool ReplayEnded => Volatile.Read(ref _replayEnded) == 1;

    /// <summary>
    /// Why a replay stopped before its end (a file it cannot read), or null: it is not started again, and readiness says
    /// so with this reason rather than "starting" or "last data ... ago" until the silence made it stale.
    /// </summary>
    public string? ReplayStoppedBecause => Volatile.Read(ref _replayStoppedBecause);

    private string? _replayStoppedBecause;

    private readonly long _startedTimestamp = time.GetTimestamp();

    /// <summary>
    /// When the pump was made (readiness's grace before the first event counts from it): placed on the clock's now as
    /// <see cref="LastReceivedAt"/> is. Kept as the wall time at start, a clock stepped an hour forward failed readiness on
    /// a feed a second into its start, and one set back held a feed that never delivered "starting" for the hour.
    /// </summary>
    public DateTimeOffset StartedAt => time.GetUtcNow() - time.GetElapsedTime(_startedTimestamp);

    public string FeedName => feed.Name;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_isReplay && resumption is not null)
        {
            // The strategies running at the start see the replay from its first row: at full speed it is over in a second
            // or two, before a strategy resumed beside it had subscribed. A live feed does not wait: its ticks are now's.
            try
            {
                await resumption.Done.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }

        LogStarted(logger, feed.Name);
        var heartbeat = Task.Run(() => HeartbeatAsync(stoppingToken), CancellationToken.None);
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PumpAsync(stoppingToken);
                if (_isReplay)
                {
                    Volatile.Write(ref _replayEnded, 1);
                }

                LogFeedEnded(logger, feed.Name, EventsDelivered);
                await CloseBarsAsync();
                if (_isReplay)
                {
                    await LogWhatTheSymbolsTookInAsync();
                }

                break;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (CsvFormatException ex)
            {
                // A file that cannot be read fails at the same row every time, and a replay started again would deliver
                // the rows before it twice (ticks to the strategies, trades to the paper exchange): the replay stops.
                Volatile.Write(ref _replayStoppedBecause, ex.Message);
                LogReplayStopped(logger, ex, feed.Name, EventsDelivered);
                break;
            }
            catch (Exception ex)
            {
                LogFeedFailed(logger, ex, feed.Name, backoff.TotalMilliseconds);
                await Task.Delay(backoff, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, backoff.Ticks * 2));
            }
        }

        await heartbeat;
    }

    private async Task PumpAsync(CancellationToken stoppingToken)
    {
        var channel = Channel.CreateBounded<MarketDataEvent>(new BoundedChannelOptions(65_536) { SingleReader = true, SingleWriter = true });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var resumeAfter = _replayPosition;
        var reader = Task.Run(async () =>
        {
            try
            {
                var events = feed is CsvReplayFeed replay ? replay.ReadAsync(resumeAfter, linked.Token) : feed.ReadAsync(linked.Token);
                await foreach (var item in events)
                {
                    await channel.Writer.WriteAsync(item, linked.Token);
                }

                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);

        try
        {
            var pending = new List<MarketDataEvent>(MaxBatch);
            while (await channel.Reader.WaitToReadAsync(stoppingToken))
            {
                while (pending.Count < MaxBatch && channel.Reader.TryRead(out var item))
                {
                    pending.Add(item);
                }

                await DeliverAsync(pending, _replayPosition, stoppingToken);
                pending.Clear();
            }
        }
        finally
        {
            await linked.CancelAsync();
            await reader;
        }

        await channel.Reader.Completion;
    }

    /// <param name="position">The replay position of the first event in <paramref name="events"/>.</param>
    private async Task DeliverAsync(List<MarketDataEvent> events, long position, CancellationToken stoppingToken)
    {
        var bySymbol = new Dictionary<string, (List<TradeTick> Trades, List<QuoteTick> Quotes, List<Bar> Bars, List<TradeAmendment> Amendments)>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            var item = events[i];
            if (item.Symbol is not { } symbol)
            {
                continue;
            }

            // A batch that failed for other symbols went to this one's grain already: its events are not sent twice.
            if (_symbolPositions.TryGetValue(symbol, out var taken) && position + i < taken)
            {
                continue;
            }

            if (!bySymbol.TryGetValue(symbol, out var lists))
            {
                bySymbol[symbol] = lists = ([], [], [], []);
                _symbols.Add(symbol);
            }

            switch (item)
            {
                case TradeEvent trade:
                    lists.Trades.Add(trade.ToTick());
                    break;
                case QuoteEvent quote:
                    lists.Quotes.Add(quote.ToTick());
                    break;
                case BarEvent bar:
                    lists.Bars.Add(bar.Bar);
                    break;

                // Placed after the trades delivered before them: a correction or cancel applies to what came before it.
                case TradeCorrectionEvent correction:
                    lists.Amendments.Add(new TradeAmendment
                    {
                        Symbol = symbol,
                        TradeId = correction.OriginalId,
                        Exchange = correction.Exchange,
                        Corrected = new TradeTick(symbol, correction.Timestamp, correction.CorrectedPrice, correction.CorrectedSize,
                            correction.Exchange, correction.CorrectedConditions, SourceId: correction.CorrectedId),
                        TradesBefore = lists.Trades.Count,
                    });
                    break;
                case TradeCancelEvent cancel:
                    lists.Amendments.Add(new TradeAmendment
                    {
                        Symbol = symbol, TradeId = cancel.TradeId, Exchange = cancel.Exchange, TradesBefore = lists.Trades.Count,
                    });
                    break;
            }
        }

        var end = position + events.Count;
        long? replayPosition = _isReplay ? end : null;
        var calls = bySymbol.Select(pair => (Symbol: pair.Key, Call: client.GetGrain<ISymbolGrain>(pair.Key).IngestAsync(
            new TickBatch
            {
                Trades = pair.Value.Trades, Quotes = pair.Value.Quotes, Bars = pair.Value.Bars, Amendments = pair.Value.Amendments,
                ReplayPosition = replayPosition,
            }))).ToList();
        try
        {
            await Task.WhenAll(calls.Select(call => call.Call));
        }
        catch when (_isReplay)
        {
            // A call that timed out may still have run in its grain (a timed-out call is withdrawn only while it waits in
            // the mailbox): each grain whose call failed is asked whether it took the batch in.
            var failed = calls.Where(call => !call.Call.IsCompletedSuccessfully)
                .Select(call => (call.Symbol, Position: ReadReplayPositionAsync(call.Symbol))).ToList();
            foreach (var (symbol, call) in calls)
            {
                if (call.IsCompletedSuccessfully)
                {
                    _symbolPositions[symbol] = end;
                }
            }

            foreach (var (symbol, reported) in failed)
            {
                // Exactly this batch's end: the grain's last batch is this one (a later one was never sent).
                if (await reported == end)
                {
                    _symbolPositions[symbol] = end;
                }
            }

            throw;
        }

        if (_isReplay)
        {
            // Every symbol grain has the batch: a restarted replay resumes after it.
            _replayPosition = end;
            foreach (var (symbol, taken) in _symbolPositions.ToList())
            {
                if (taken <= end)
                {
                    _symbolPositions.Remove(symbol);
                }
            }
        }

        // Only market data is fresh data: a batch of status events (a feed that is down reports every failed reconnect)
        // must not keep the global breaker's stale-data trigger and the readiness check from seeing a silent feed.
        if (bySymbol.Count > 0)
        {
            Interlocked.Exchange(ref _lastReceivedTimestamp, time.GetTimestamp());
            Volatile.Write(ref _received, 1);
        }

        Interlocked.Add(ref _events, events.Count);
        if (_isReplay && client.GetStreamProvider(StreamNames.MemoryProvider) is MemoryStreamProvider memory)
        {
            var below = Math.Max(1, memory.QueueCapacity / 2);
            foreach (var symbol in bySymbol.Keys)
            {
                foreach (var streamNamespace in SymbolStreams)
                {
                    await memory.WaitForQueueBelowAsync(StreamId.Create(streamNamespace, symbol), below, stoppingToken);
                }
            }
        }
    }

    /// <summary>The replay position a symbol grain has taken in, or null when it cannot say (the batch is then sent again).</summary>
    private async Task<long?> ReadReplayPositionAsync(string symbol)
    {
        try
        {
            return await client.GetGrain<ISymbolGrain>(symbol).GetReplayPositionAsync();
        }
        catch (Exception ex)
        {
            LogReplayPositionUnknown(logger, ex, feed.Name, symbol);
            return null;
        }
    }

    /// <summary>No trade follows the feed's last: its symbols' open bars (a replay's last minute) are complete now.</summary>
    private async Task CloseBarsAsync()
    {
        try
        {
            await Task.WhenAll(_symbols.Select(symbol => client.GetGrain<ISymbolGrain>(symbol).CloseBarsAsync()));
        }
        catch (Exception ex)
        {
            // Not a feed failure: restarting the feed would replay it all again.
            LogCloseBarsFailed(logger, ex, feed.Name);
        }
    }

    /// <summary>
    /// A replay runs with validation off and the symbol grains validate, so the feed's own summary counts no rejection:
    /// each symbol's line says what its grain took in and refused, by reason (the shared BAC quote ticks are one row per
    /// side, and every one was refused as one-sided without a word).
    /// </summary>
    private async Task LogWhatTheSymbolsTookInAsync()
    {
        foreach (var symbol in _symbols.Order(StringComparer.Ordinal))
        {
            try
            {
                var stats = await client.GetGrain<ISymbolGrain>(symbol).GetStatsAsync();
                var refused = stats.RejectedByReason.Values.Sum();
                var reasons = string.Join(", ", stats.RejectedByReason.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Value}"));
                LogReplaySymbolSummary(
                    logger, refused > 0 ? LogLevel.Warning : LogLevel.Information, feed.Name, symbol, stats.AcceptedTrades, stats.AcceptedQuotes,
                    stats.BarsPublished, refused, refused > 0 ? $" ({reasons})" : string.Empty);
            }
            catch (Exception ex)
            {
                // Only a report: the replay itself has ended as it should.
                LogReplaySymbolSummaryFailed(logger, ex, feed.Name, symbol);
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval, time);
        var heartbeatFailures = new FailureStreak(time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // A replay that delivered its last row is done, not stale, as readiness judges it (FeedHealthCheck): its
                // data ends there. Judged by the age of that row, every account went to REDUCING a minute after a replay
                // that had finished normally, and stayed there until a risk reset.
                if ((ReplayEnded ? time.GetUtcNow() : LastReceivedAt) is { } last)
                {
                    try
                    {
                        await client.GetGrain<IBreakerGrain>(BreakerKeys.Global).ReportMarketDataAsync(last);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // A second's report failing for an hour wrote 3,600 warnings: the first warns, the rest are Debug.
                        if (heartbeatFailures.Fail())
                        {
                            LogHeartbeatFailed(logger, ex);
                        }
                        else
                        {
                            LogHeartbeatFailedAgain(logger, ex, heartbeatFailures.Failures);
                        }

                        continue;
                    }

                    if (heartbeatFailures.Succeed() is { } ended)
                    {
                        LogHeartbeatRecovered(logger, ended.Failures, ended.Lasted);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
    }

    [LoggerMessage(EventId = 5501, Level = LogLevel.Information, Message = "Market data feed {Feed} started")]
    private static partial void LogStarted(ILogger logger, string feed);

    [LoggerMessage(EventId = 5502, Level = LogLevel.Information, Message = "Market data feed {Feed} ended after {Events} events")]
    private static partial void LogFeedEnded(ILogger logger, string feed, long events);

    [LoggerMessage(EventId = 5503, Level = LogLevel.Error, Message = "Market data feed {Feed} failed; restarting in {DelayMs} ms")]
    private static partial void LogFeedFailed(ILogger logger, Exception exception, string feed, double delayMs);

    [LoggerMessage(EventId = 5504, Level = LogLevel.Warning,
        Message = "Could not report market data freshness to the global breaker; it is reported every second, the further failures at Debug until one succeeds")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5508, Level = LogLevel.Debug, Message = "Could not report market data freshness to the global breaker ({Failures} failures in a row)")]
    private static partial void LogHeartbeatFailedAgain(ILogger logger, Exception exception, int failures);

    [LoggerMessage(EventId = 5509, Level = LogLevel.Information,
        Message = "Market data freshness reached the global breaker again, after {Failures} failed reports over {Lasted}")]
    private static partial void LogHeartbeatRecovered(ILogger logger, int failures, TimeSpan lasted);

    [LoggerMessage(EventId = 5505, Level = LogLevel.Warning, Message = "Could not close the last bars of market data feed {Feed} after it ended")]
    private static partial void LogCloseBarsFailed(ILogger logger, Exception exception, string feed);

    [LoggerMessage(EventId = 5506, Level = LogLevel.Error, Message = "Market data feed {Feed} stopped after {Events} events: a file cannot be replayed")]
    private static partial void LogReplayStopped(ILogger logger, Exception exception, string feed, long events);

    [LoggerMessage(EventId = 5538, Message = "Replay {Feed} ended for {Symbol}: the symbol grain took in {Trades} trades, {Quotes} quotes and {Bars} one-minute bars, and {Refused} rows refused{Reasons}")]
    private static partial void LogReplaySymbolSummary(ILogger logger, LogLevel level, string feed, string symbol, long trades, long quotes, long bars, long refused, string reasons);

    [LoggerMessage(EventId = 5539, Level = LogLevel.Warning, Message = "Replay {Feed} ended; what the symbol grain of {Symbol} took in could not be read")]
    private static partial void LogReplaySymbolSummaryFailed(ILogger logger, Exception exception, string feed, string symbol);

    [LoggerMessage(EventId = 5507, Level = LogLevel.Warning, Message = "Market data feed {Feed} could not learn whether symbol grain {Symbol} took in the batch its failed call sent; the batch is sent again")]
    private static partial void LogReplayPositionUnknown(ILogger logger, Exception exception, string feed, string symbol);
}
