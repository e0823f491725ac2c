using System.Diagnostics.Metrics;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// One <see cref="SqliteDatabase"/> per distinct configuration in a container. Storage, reminders and stream logs
/// configured with the same file share one instance, so their writers queue on one in-process gate instead of
/// colliding on the file lock and sleeping in SQLite's busy handler. Holds one entry per registration, no more.
/// </summary>
internal sealed class SqliteDatabaseCache(IMeterFactory? meterFactory = null) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly SqliteMetrics? _metrics = meterFactory is null ? null : new SqliteMetrics(meterFactory);
    private readonly Dictionary<Key, SqliteDatabase> _databases = [];

    public SqliteDatabase GetOrCreate(SqliteStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SqliteStorageOptionsValidator.ThrowIfInvalid(options);
        var key = new Key(
            SqliteDatabase.BuildConnectionString(options).ToString(), options.TablePrefix, options.CommandTimeout, options.BusyTimeout, options.WalCheckpointInterval,
            options.SyncBeforeCommit is { } other ? Path.GetFullPath(other) : null);
        lock (_lock)
        {
            if (!_databases.TryGetValue(key, out var database))
            {
                database = new SqliteDatabase(options, _metrics, Find);
                _databases.Add(key, database);
            }

            return database;
        }
    }

    /// <summary>This container's databases on a file (for <see cref="SqliteStorageOptions.SyncBeforeCommit"/>): none when it writes none.</summary>
    private SqliteDatabase[] Find(string filePath)
    {
        lock (_lock)
        {
            return [.. _databases.Values.Where(d => string.Equals(d.FilePath, filePath, StringComparison.Ordinal))];
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var database in _databases.Values)
            {
                database.Dispose();
            }

            _databases.Clear();
        }
    }

    private readonly record struct Key(string ConnectionString, string TablePrefix, TimeSpan CommandTimeout, TimeSpan BusyTimeout, TimeSpan WalCheckpointInterval, string? SyncBeforeCommit);
}
