using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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

    /// <summary>
    /// A silo on the data directory whose start is expected to fail. The test host waits for the start from the moment it
    /// gets the built host; a start that failed and disposed the host before then surfaced as ObjectDisposedException
    /// instead of its own exception. A pause ahead of every other service lets the test host begin its wait first.
    /// </summary>
    public WebApplicationFactory<Program> SiloWhoseStartFails() => Silo().WithWebHostBuilder(b => b.ConfigureServices(services =>
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(new PauseBeforeStart(TimeSpan.FromMilliseconds(500))))));

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

    /// <summary>A hosted service that only waits, so the services after it start that much later.</summary>
    private sealed class PauseBeforeStart(TimeSpan pause) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.Delay(pause, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
