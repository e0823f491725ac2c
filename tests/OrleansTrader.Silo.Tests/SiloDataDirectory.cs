using Microsoft.Data.Sqlite;

namespace OrleansTrader.Silo.Tests;

/// <summary>A data directory of its own for a test's silos (SQLite files), deleted afterwards with the pooled connections to it closed.</summary>
internal sealed class SiloDataDirectory(string purpose) : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"ot-silo-{purpose}-{Guid.NewGuid():N}");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
