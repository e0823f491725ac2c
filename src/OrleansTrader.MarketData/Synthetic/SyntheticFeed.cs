using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Domain.Market;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;

namespace OrleansTrader.MarketData.Synthetic;

/// <summary>
/// Generated market data: a seeded geometric Brownian motion per symbol, published as a two-sided quote and a
/// trade per step with cent prices, a 1-5 bp spread (at least one cent) and round or odd lot sizes. The same
/// seed and options always give the same sequence.
/// </summary>
public sealed class SyntheticFeed : IMarketDataFeed
{
    private readonly SyntheticFeedOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly FeedHealthTracker _health;

    public SyntheticFeed(IOptions<SyntheticFeedOptions> options, TimeProvider timeProvider, ILogger<SyntheticFeed> logger)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, timeProvider, logger)
    {
    }

    public SyntheticFeed(SyntheticFeedOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var failures = SyntheticFeedOptionsValidator.Collect(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _health = new FeedHealthTracker(Name, timeProvider);
    }

    public string Name => "synthetic";

    /// <summary>How late a step may be and still be sent (the consumer was slow): later, it is skipped.</summary>
    private static TimeSpan LongestCatchUp(TimeSpan interval) => interval > TimeSpan.FromSeconds(5) ? interval : TimeSpan.FromSeconds(5);

    public FeedHealth GetHealth() => _health.Snapshot();

    public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var generators = CreateGenerators();
        var wallStart = _timeProvider.GetUtcNow();
        var start = _options.StartTime ?? wallStart;
        MarketDataLog.FeedStarted(_logger, Name, $"{generators.Count} symbols, seed {_options.Seed}, interval {_options.TickInterval}");
        _health.SetState(FeedState.Connected);
        yield return new FeedStatusEvent(Name, FeedState.Connected, _timeProvider.GetUtcNow(), $"{generators.Count} symbols");

        try
        {
            for (long step = 0; _options.MaxSteps is not { } max || step < max; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (step > 0 && _options.Paced)
                {
                    // Step n is due n intervals after the start on the clock: waiting a whole interval after each step let the
                    // time each step takes add up, and the ticks' timestamps fell ever further behind the clock (QUOTE_STALE).
                    var wait = wallStart + (_options.TickInterval * step) - _timeProvider.GetUtcNow();

                    // A step due more than LongestCatchUp beyond its interval, or late by more than that, is not a slow
                    // consumer nor the few milliseconds the wall clock and the delay's timer differ by: the wall clock stepped
                    // (or the feed was held up that long). Set back an hour, the feed was silent for that hour (the stale-data
                    // trigger put every account in REDUCING); set forward, it sent every step it missed at once, days of
                    // ticks stamped in the past. The pace and the data time go on from now.
                    if (wait - _options.TickInterval > LongestCatchUp(_options.TickInterval) || -wait > LongestCatchUp(_options.TickInterval))
                    {
                        MarketDataLog.FeedClockStepped(_logger, Name, -wait);
                        wallStart -= wait;
                        start -= wait;
                        wait = TimeSpan.Zero;
                    }

                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _timeProvider, cancellationToken);
                    }
                }

                if (_options.Paced && _options.Calendar is { } calendar && _timeProvider.GetUtcNow() is var now
                    && !calendar.IsOpen(now, includeExtended: true))
                {
                    var open = calendar.NextOpen(now, includeExtended: true);
                    MarketDataLog.FeedPausedUntilOpen(_logger, Name, open);
                    await Task.Delay(open - now, _timeProvider, cancellationToken);

                    // The closed hours hold no steps: the pace and the data time go on from the open.
                    var closed = _timeProvider.GetUtcNow() - (wallStart + (_options.TickInterval * step));
                    wallStart += closed;
                    start += closed;
                }

                var timestamp = start + (_options.TickInterval * step);
                foreach (var generator in generators)
                {
                    var (quote, trade) = generator.Next(timestamp);
                    _health.RecordDelivered(quote);
                    yield return quote;
                    _health.RecordDelivered(trade);
                    yield return trade;
                }
            }

            _health.SetState(FeedState.Completed);
            yield return new FeedStatusEvent(Name, FeedState.Completed, _timeProvider.GetUtcNow(), $"{_options.MaxSteps} steps");
        }
        finally
        {
            // Stopped before the last step (cancelled, or the consumer left): no longer delivering.
            if (_health.State == FeedState.Connected)
            {
                _health.SetState(FeedState.Disconnected);
            }
        }
    }

    private List<SyntheticSymbolGenerator> CreateGenerators()
    {
        var stepYears = _options.TickInterval.TotalSeconds / SyntheticFeedOptions.TradingSecondsPerYear;
        var generators = new List<SyntheticSymbolGenerator>(_options.Symbols.Count);
        for (var i = 0; i < _options.Symbols.Count; i++)
        {
            var symbol = _options.Symbols[i];

            // One independent stream per symbol, so adding a symbol does not change the others' paths.
            var random = new SeededRandom(_options.Seed + ((ulong)i * 0x9E3779B97F4A7C15UL));
            var process = new GbmProcess((double)symbol.StartPrice, symbol.Drift, symbol.Volatility, stepYears, random);
            generators.Add(new SyntheticSymbolGenerator(symbol.Symbol, process, random, _options));
        }

        return generators;
    }
}
