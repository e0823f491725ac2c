namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>A fresh SQLite file per test class, in its own temp directory, deleted (with its WAL files) afterwards.</summary>
public sealed class SqliteFileFixture : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<SqliteDatabase> _databases = [];

    public SqliteFileFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "orleanstrader-adonet-tests", Guid.NewGuid().ToString("N"));
        FilePath = Path.Combine(Directory, "test.db");
    }

    public string Directory { get; }

    public string FilePath { get; }

    public SqliteStorageOptions Options() => new() { DataSource = FilePath, CommandTimeout = TimeSpan.FromSeconds(30) };

    /// <summary>A new database object over the same file: what a restarted silo would open.</summary>
    public SqliteDatabase Open()
    {
        var database = new SqliteDatabase(Options());
        lock (_lock)
        {
            _databases.Add(database);
        }

        return database;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var database in _databases)
            {
                database.Dispose();
            }

            _databases.Clear();
        }

        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
