using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime;

namespace OrleansTrader.Silo.Tests;

/// <summary>A data directory of its own for a test's silos (SQLite files), deleted afterwards with the pooled connections to it closed.</summary>
internal sealed class SiloDataDirectory(string purpose) : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"ot-silo-{purpose}-{Guid.NewGuid():N}");

    /// <summary>A silo on this data directory, without the demo or a feed.</summary>
    public WebApplicationFactory<Program> Silo() => new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
        .UseSetting("Storage:DataDirectory", Path)
        .UseSetting("Demo:Enabled", "false")
        .UseSetting("Feed:Kind", "none"));

    /// <summary>Runs a silo on the data directory until one market order of <paramref name="accountId"/> is filled, then stops it.</summary>
    public async Task TradeOnceAsync(string accountId)
    {
        using (var factory = Silo())
        {
            using var client = factory.CreateClient();
            await SiloTrading.TradeOnceAsync(factory.Services.GetRequiredService<IGrainFactory>(), accountId, "FILE");
        }

        SqliteConnection.ClearAllPools();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
