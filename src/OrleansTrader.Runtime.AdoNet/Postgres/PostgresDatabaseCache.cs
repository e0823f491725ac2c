namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// One <see cref="PostgresDatabase"/> (one connection pool) per distinct configuration in a container: storage,
/// reminders and stream logs pointed at the same server and schema share a pool instead of opening one each.
/// </summary>
internal sealed class PostgresDatabaseCache : IAsyncDisposable, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Key, PostgresDatabase> _databases = [];

    public PostgresDatabase GetOrCreate(PostgresStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PostgresStorageOptionsValidator.ThrowIfInvalid(options);
        var key = new Key(options.ConnectionString!, options.Schema, options.CommandTimeout, options.IdleInTransactionTimeout);
        lock (_lock)
        {
            if (!_databases.TryGetValue(key, out var database))
            {
                database = new PostgresDatabase(options);
                _databases.Add(key, database);
            }

            return database;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in Take())
        {
            await database.DisposeAsync();
        }
    }

    public void Dispose()
    {
        foreach (var database in Take())
        {
            database.Dispose();
        }
    }

    private List<PostgresDatabase> Take()
    {
        lock (_lock)
        {
            var databases = _databases.Values.ToList();
            _databases.Clear();
            return databases;
        }
    }

    private readonly record struct Key(string ConnectionString, string Schema, TimeSpan CommandTimeout, TimeSpan IdleInTransactionTimeout);
}
