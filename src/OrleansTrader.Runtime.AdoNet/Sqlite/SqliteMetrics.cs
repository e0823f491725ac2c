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
    private readonly Lock _lock = new();
    private readonly List<(KeyValuePair<string, object?>[] Tags, Func<int> Queued)> _queues = [];

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
        meter.CreateObservableUpDownCounter("orleanstrader.sqlite.queue", ObserveQueues, "{write}", "Writes waiting for the group commit's writer.");
    }

    /// <summary>The tags of one database's series.</summary>
    public static KeyValuePair<string, object?>[] TagsFor(string filePath, string tablePrefix) =>
        [new("file", Path.GetFileName(filePath)), new("table_prefix", tablePrefix)];

    /// <summary>Adds a database's queue to the gauge; the returned handle takes it off again.</summary>
    public IDisposable ObserveQueue(KeyValuePair<string, object?>[] tags, Func<int> queued)
    {
        var entry = (tags, queued);
        lock (_lock)
        {
            _queues.Add(entry);
        }

        return new Unregister(this, entry);
    }

    public void Group(KeyValuePair<string, object?>[] tags, int committed, int failed, int canceled, bool commitSucceeded, TimeSpan duration)
    {
        Add(tags, committed, "committed");
        Add(tags, failed, "failed");
        Add(tags, canceled, "canceled");
        if (commitSucceeded)
        {
            _commits.Add(1, tags);
        }

        _groupDuration.Record(duration.TotalSeconds, tags);
    }

    private void Add(KeyValuePair<string, object?>[] tags, int count, string outcome)
    {
        if (count > 0)
        {
            _writes.Add(count, [.. tags, new("outcome", outcome)]);
        }
    }

    private IEnumerable<Measurement<long>> ObserveQueues()
    {
        lock (_lock)
        {
            return [.. _queues.Select(q => new Measurement<long>(q.Queued(), q.Tags))];
        }
    }

    private sealed class Unregister(SqliteMetrics metrics, (KeyValuePair<string, object?>[] Tags, Func<int> Queued) entry) : IDisposable
    {
        public void Dispose()
        {
            lock (metrics._lock)
            {
                metrics._queues.Remove(entry);
            }
        }
    }
}
