using System.Diagnostics.Metrics;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// The group commit's instruments on the meter "OrleansTrader.Sqlite", one series per database (tags: the file's name
/// without its directory, and the table prefix). They say whether SQLite's single writer keeps up: the writes waiting for
/// it, how many writes share a commit, and how much of the time the writer is busy (group durations over wall-clock time).
/// </summary>
internal sealed class SqliteMetrics
{
    public const string MeterName = "OrleansTrader.Sqlite";

    private readonly Counter<long> _writes;
    private readonly Counter<long> _commits;
    private readonly Histogram<double> _groupDuration;
    private readonly Histogram<double> _walSyncDuration;
    private readonly Lock _lock = new();
    private readonly List<Series> _series = [];

    public SqliteMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _writes = meter.CreateCounter<long>(
            "orleanstrader.sqlite.writes", "{write}", "Writes run by the group commit, by outcome: committed, failed (the write or its group's commit failed) or canceled.");
        _commits = meter.CreateCounter<long>(
            "orleanstrader.sqlite.commits", "{commit}", "Groups committed: one transaction (or one autocommitted statement) each.");
        _groupDuration = meter.CreateHistogram<double>(
            "orleanstrader.sqlite.group.duration", "s", "Time the writer spent on one group, from its first statement to its commit or failure.");
        _walSyncDuration = meter.CreateHistogram<double>(
            "orleanstrader.sqlite.wal_sync.duration", "s", "fsyncs of this file's WAL that another file's commit waited for (SyncBeforeCommit), and their time.");
        meter.CreateObservableUpDownCounter("orleanstrader.sqlite.queue", ObserveQueues, "{write}", "Writes waiting for the group commit's writer.");
    }

    /// <summary>One database's series, its queue (<paramref name="queued"/>) in the gauge until the series is disposed.</summary>
    public Series For(string filePath, string tablePrefix, Func<int> queued)
    {
        var series = new Series(this, Path.GetFileName(filePath), tablePrefix, queued);
        lock (_lock)
        {
            _series.Add(series);
        }

        return series;
    }

    private IEnumerable<Measurement<long>> ObserveQueues()
    {
        lock (_lock)
        {
            return [.. _series.Select(s => new Measurement<long>(s.Queued(), s.Tags))];
        }
    }

    /// <summary>One database's tag sets, built once: the writer records a group with no allocation of its own.</summary>
    internal sealed class Series : IDisposable
    {
        private readonly SqliteMetrics _metrics;
        private readonly KeyValuePair<string, object?>[] _committed;
        private readonly KeyValuePair<string, object?>[] _failed;
        private readonly KeyValuePair<string, object?>[] _canceled;

        public Series(SqliteMetrics metrics, string file, string tablePrefix, Func<int> queued)
        {
            _metrics = metrics;
            Queued = queued;
            Tags = [new("file", file), new("table_prefix", tablePrefix)];
            _committed = [.. Tags, new("outcome", "committed")];
            _failed = [.. Tags, new("outcome", "failed")];
            _canceled = [.. Tags, new("outcome", "canceled")];
        }

        public KeyValuePair<string, object?>[] Tags { get; }

        public Func<int> Queued { get; }

        public void Group(int committed, int failed, int canceled, bool commitSucceeded, TimeSpan duration)
        {
            Add(committed, _committed);
            Add(failed, _failed);
            Add(canceled, _canceled);
            if (commitSucceeded)
            {
                _metrics._commits.Add(1, Tags);
            }

            _metrics._groupDuration.Record(duration.TotalSeconds, Tags);
        }

        public void WalSynced(TimeSpan duration) => _metrics._walSyncDuration.Record(duration.TotalSeconds, Tags);

        /// <summary>Takes the database's queue off the gauge.</summary>
        public void Dispose()
        {
            lock (_metrics._lock)
            {
                _metrics._series.Remove(this);
            }
        }

        private void Add(int count, KeyValuePair<string, object?>[] tags)
        {
            if (count > 0)
            {
                _metrics._writes.Add(count, tags);
            }
        }
    }
}
