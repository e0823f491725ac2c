using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// Where the embedded default keeps its data under <see cref="StorageSettings.DataDirectory"/>: grain state and reminders
/// in one SQLite file, the durable stream log (the fills) in another. SQLite lets one writer at a time into a file, so
/// with one file every stream append queued behind the grain-state writes; with two, the two writers commit in parallel.
/// The log's file syncs the state file before each of its commits (<see cref="SqliteStorageOptions.SyncBeforeCommit"/>):
/// a fill reported on the log is on disk in the venue's state first, so a power loss never leaves a report of a fill the
/// venue lost. A data directory from a build before the split, whose state file already holds the stream log, keeps the
/// log there (its events, checkpoints and stored subscriptions stay where the silo finds them).
/// </summary>
public sealed record SqliteDataFiles(string State, string StreamLog)
{
    public const string StateFileName = "orleanstrader.db";
    public const string StreamLogFileName = "orleanstrader-streams.db";

    /// <summary>True when the stream log shares the state file (a data directory created before the split).</summary>
    public bool Shared => string.Equals(State, StreamLog, StringComparison.Ordinal);

    public static SqliteDataFiles In(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        var state = Path.GetFullPath(Path.Combine(dataDirectory, StateFileName));
        var streamLog = Path.GetFullPath(Path.Combine(dataDirectory, StreamLogFileName));
        return !File.Exists(streamLog) && SqliteDurableStreamLog.ExistsIn(state)
            ? new SqliteDataFiles(state, state)
            : new SqliteDataFiles(state, streamLog);
    }

    /// <summary>
    /// Registers the trading silo's SQLite stores on these files: the default grain storage and reminders on the state
    /// file, and the stream log (keyed <paramref name="streamLogName"/>, for the durable provider) on the log's file.
    /// </summary>
    public void AddTo(ISiloBuilder silo, string streamLogName)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddSqliteGrainStorage(GrainStorageNames.Default, ConfigureState);
        silo.AddSqliteStreamLog(streamLogName, ConfigureStreamLog);
        silo.UseSqliteReminderService(ConfigureState);
    }

    /// <summary>Grain state and reminders.</summary>
    public void ConfigureState(SqliteStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.DataSource = State;
    }

    /// <summary>The durable stream log, after the state file.</summary>
    public void ConfigureStreamLog(SqliteStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.DataSource = StreamLog;
        options.SyncBeforeCommit = Shared ? null : State;
    }

    public override string ToString() => Shared ? $"{State} (with the stream log, as created before the split)" : $"{State}, stream log {StreamLog}";
}
