using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.MarketData.Csv;

/// <summary>
/// Replays CSV market data files, merged across files and symbols in data-time order (a streaming k-way merge:
/// one row per file in memory), optionally paced against an injected clock.
/// </summary>
public sealed class CsvReplayFeed : IMarketDataFeed
{
    private readonly IReadOnlyList<CsvSource>? _explicitSources;
    private readonly CsvReplayOptions _options;
    private readonly TickValidatorOptions _validatorOptions;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly FeedHealthTracker _health;

    // How far the reads so far got, in steps (each file's first row read, then per row taken from the merge its delivery or
    // rejection and the read of its file's next row), and each file's bad rows logged one by one. A read resumed after
    // fewer events than were sent (its consumer had not taken them all in) sends the rest again, but they were counted,
    // judged in or out of order and their bad rows logged when first read. One reader at a time, so no lock.
    private long _stepsTaken;
    private readonly Dictionary<string, int> _loggedBadRows = new(StringComparer.Ordinal);

    public CsvReplayFeed(
        IOptions<CsvReplayOptions> options,
        IOptions<TickValidatorOptions> validatorOptions,
        TimeProvider timeProvider,
        ILogger<CsvReplayFeed> logger)
        : this(
            null,
            (options ?? throw new ArgumentNullException(nameof(options))).Value,
            (validatorOptions ?? throw new ArgumentNullException(nameof(validatorOptions))).Value,
            timeProvider,
            logger)
    {
    }

    /// <summary>Replays exactly the given files (symbols and date range in <paramref name="options"/> are not used to find them).</summary>
    public CsvReplayFeed(
        IReadOnlyList<CsvSource>? sources,
        CsvReplayOptions options,
        TickValidatorOptions validatorOptions,
        TimeProvider timeProvider,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(validatorOptions);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _explicitSources = sources;
        _options = options;
        _validatorOptions = validatorOptions;
        _timeProvider = timeProvider;
        _logger = logger;
        _health = new FeedHealthTracker(Name, timeProvider);
    }

    public string Name => "csv-replay";

    public FeedHealth GetHealth() => _health.Snapshot();

    public IAsyncEnumerable<MarketDataEvent> ReadAsync(CancellationToken cancellationToken) => ReadAsync(0, cancellationToken);

    /// <summary>
    /// The replay from its start, without the first <paramref name="resumeAfter"/> events it yields (the status event
    /// first among them): a consumer that failed part-way resumes after the events it has taken in. The merge is
    /// deterministic, so the same files give the same events in the same order; the skipped rows are read again but not
    /// paced, counted in health or logged a second time; the rows an earlier read sent beyond them go out again, but are not
    /// counted or logged twice either.
    /// </summary>
    public async IAsyncEnumerable<MarketDataEvent> ReadAsync(long resumeAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(resumeAfter);
        var sources = _explicitSources ?? CsvSourceDiscovery.Discover(_options);
        if (_explicitSources is null && resumeAfter == 0 && CsvSourceDiscovery.OffLayoutFiles(_options) is { Count: > 0 } offLayout)
        {
            // Logged like a bad row, and the replay goes on: the files it does find are data, these are not read at all.
            MarketDataLog.FilesOffTheLayout(_logger, Name, offLayout.Count, string.Join(", ", offLayout));
        }

        var validator = _options.Validate ? new TickValidator(_validatorOptions) : null;
        var pacer = new ReplayPacer(_timeProvider, _options.SpeedFactor);
        var readers = new List<CsvFileReader>(sources.Count);

        // Events yielded so far, skipped ones included: below resumeAfter an event went out before. Steps taken so far: below
        // earlierSteps an earlier read took them, and counted and logged what they read.
        long position = 0;
        long step = 0;
        var earlierSteps = _stepsTaken;
        bool Counts() => position >= resumeAfter && step >= earlierSteps;
        void StepTaken() => _stepsTaken = Math.Max(_stepsTaken, ++step);
        try
        {
            for (var i = 0; i < sources.Count; i++)
            {
                readers.Add(Guard(sources[i].Path, () => CsvFileReader.Open(
                    sources[i],
                    error =>
                    {
                        if (Counts())
                        {
                            OnBadRow(error);
                        }
                    },
                    _options.StartDate,
                    _options.EndDate)));
            }

            var queue = new PriorityQueue<(int Reader, MarketDataEvent Event), (long Ticks, int TieRank, int Reader)>(readers.Count);
            for (var i = 0; i < readers.Count; i++)
            {
                var counts = Counts();
                Advance(readers, queue, i, counts);

                // A file of its header alone gave no data and no reason: a replay pointed at it delivered nothing, silently.
                if (readers[i].RowsRead == 0 && counts)
                {
                    MarketDataLog.FileWithoutRows(_logger, Name, readers[i].Source.Path);
                }

                StepTaken();
            }

            MarketDataLog.FeedStarted(_logger, Name, $"{sources.Count} files, speed factor {_options.SpeedFactor.ToString(CultureInfo.InvariantCulture)}");
            _health.SetState(FeedState.Connected);
            if (position++ >= resumeAfter)
            {
                yield return Status(FeedState.Connected, $"replaying {sources.Count} files");
            }

            while (queue.TryDequeue(out var next, out _))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var marketEvent = next.Event;

                // Skipped rows are validated too: the validator's state (last prices, bands) is then the one it had.
                var result = validator?.Validate(marketEvent);
                var deliver = false;
                if (result is { IsAccepted: false } rejected)
                {
                    if (Counts())
                    {
                        _health.RecordRejected(rejected.Reason);
                        MarketDataLog.TickRejected(_logger, Name, marketEvent.Symbol ?? string.Empty, rejected.Reason, rejected.Detail);
                    }
                }
                else if (position++ >= resumeAfter)
                {
                    await pacer.WaitAsync(marketEvent.AvailableAt, cancellationToken);
                    deliver = true;
                    if (step >= earlierSteps)
                    {
                        _health.RecordDelivered(marketEvent);
                    }
                }

                // Taken before the event goes out: its consumer may stop there, and the event is counted.
                StepTaken();
                if (deliver)
                {
                    yield return marketEvent;
                }

                // Read ahead in this file only after its row went out: a file that breaks on the next row (a corrupt
                // gzip) still delivers every row before the break.
                Advance(readers, queue, next.Reader, Counts());
                StepTaken();
            }

            var health = _health.Snapshot();
            MarketDataLog.FeedCompleted(_logger, Name, health.EventsDelivered, health.TotalRejected, health.TotalMalformed, health.OutOfOrderEvents);
            _health.SetState(FeedState.Completed);
            yield return Status(FeedState.Completed, $"{health.EventsDelivered} events, {health.TotalRejected} rejected, {health.TotalMalformed} malformed");
        }
        finally
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }

            // Stopped part-way (cancelled, or the consumer left): no longer delivering. A failure stays Degraded.
            if (_health.State == FeedState.Connected)
            {
                _health.SetState(FeedState.Disconnected);
            }
        }
    }

    /// <param name="counts">Whether what is read now is reported: an earlier read that got this far reported it.</param>
    private void Advance(
        List<CsvFileReader> readers,
        PriorityQueue<(int Reader, MarketDataEvent Event), (long Ticks, int TieRank, int Reader)> queue,
        int index,
        bool counts)
    {
        var reader = readers[index];
        MarketDataEvent? marketEvent = null;
        if (Guard(reader.Source.Path, () => reader.TryReadNext(out marketEvent)))
        {
            // Ties keep file order, so a merge is deterministic; except that a bar goes before a tick stamped at its end, as
            // the symbol grain orders them within a batch: in file order, the minute's bar that goes out (the feed's, or the
            // one its trades built) depended on where the pump's batches split.
            queue.Enqueue((index, marketEvent!), (marketEvent!.AvailableAt.UtcTicks, marketEvent is BarEvent ? 0 : 1, index));
            return;
        }

        var logged = _loggedBadRows.GetValueOrDefault(reader.Source.Path);
        if (counts && reader.BadRows > logged)
        {
            MarketDataLog.BadRowSummary(_logger, reader.Source.Path, reader.BadRows, reader.RowsRead, logged);
        }
    }

    /// <summary>A file that cannot be read stops the replay: logged, health degraded with the reason, and rethrown.</summary>
    private T Guard<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (CsvFormatException ex)
        {
            MarketDataLog.ReplayFailed(_logger, path, ex);
            _health.SetState(FeedState.Degraded, errorMessage: ex.Message);
            throw;
        }
    }

    private void OnBadRow(CsvRowError error)
    {
        _health.RecordMalformed(error.Reason);
        var logged = _loggedBadRows.GetValueOrDefault(error.File);
        if (logged < _options.MaxLoggedBadRowsPerFile)
        {
            _loggedBadRows[error.File] = logged + 1;
            MarketDataLog.BadRow(_logger, error.File, error.Line, error.Reason, error.Detail);
        }
    }

    private FeedStatusEvent Status(FeedState state, string message) => new(Name, state, _timeProvider.GetUtcNow(), message);
}
