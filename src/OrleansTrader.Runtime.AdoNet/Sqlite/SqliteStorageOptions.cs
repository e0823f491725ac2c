namespace OrleansTrader.Runtime.AdoNet;

/// <summary>Where a SQLite provider keeps its data. Set exactly one of <see cref="DataSource"/> or <see cref="ConnectionString"/>.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>A full Microsoft.Data.Sqlite connection string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The database file path, e.g. <c>./data/orleanstrader.db</c>; its directory is created when missing.</summary>
    public string? DataSource { get; set; }

    /// <summary>Prepended to every table name so several deployments can share one file: letters, digits and '_' only.</summary>
    public string TablePrefix { get; set; } = string.Empty;

    /// <summary>
    /// Applied to every command run through ADO.NET (reads, schema, retention). The group commit's own write statements
    /// run through SQLite's API and wait for a lock as long as <see cref="BusyTimeout"/>.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = CommandTimeouts.Default;

    /// <summary>How long a connection waits for another process's write lock before failing with SQLITE_BUSY.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often, while writes arrive, a background thread copies the WAL back into the database file, so the writer's
    /// commits do not (see docs/runtime.md). Zero turns it off and leaves every checkpoint to SQLite inside a commit.
    /// </summary>
    public TimeSpan WalCheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Another SQLite file this file's writes depend on (the stream log's file names the grain-state file whose changes
    /// its events report). Before each commit here, what that file has committed so far is synced to disk (one fsync of
    /// its WAL, skipped when it committed nothing since the last one), so a power loss cannot leave this file holding a
    /// write whose cause the other file lost. With synchronous=NORMAL each file alone only loses its last commits; two
    /// files could otherwise lose different ones. Null (the default): no such file.
    /// </summary>
    public string? SyncBeforeCommit { get; set; }
}
