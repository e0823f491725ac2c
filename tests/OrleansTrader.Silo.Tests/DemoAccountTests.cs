using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// The embedded default's promise: with no configuration but a data directory, the demo account trades on the synthetic
/// feed within a minute, and a restart on the same data goes on with the same account and strategy.
/// </summary>
public sealed class DemoAccountTests : IDisposable
{
    private readonly SiloDataDirectory _data = new("demo");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task TheDemoAccount_FillsStrategyOrdersWithinAMinute_AndGoesOnAfterARestart()
    {
        int fillsBefore;
        using (var silo = Silo())
        {
            using var client = silo.CreateClient();
            var grains = silo.Services.GetRequiredService<IGrainFactory>();
            var account = grains.GetGrain<IAccountGrain>("demo");
            var fills = await WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count > 0, TimeSpan.FromMinutes(1), "a demo fill");
            fillsBefore = fills.Count;

            var snapshot = (await account.GetSnapshotAsync())!;
            Assert.Equal("Demo: SMA crossover on SPY", snapshot.Name);
            Assert.Equal("paper", snapshot.Broker);
            var order = (await account.GetOrderAsync(fills[0].OrderId))!;
            Assert.Equal("strategy:sma-demo", order.Origin);
            Assert.Equal("SPY", order.Symbol);
            Assert.True((await Strategy(grains).GetStatusAsync())!.Running);
        }

        SqliteConnection.ClearAllPools();
        using (var silo = Silo())
        {
            using var client = silo.CreateClient();
            var grains = silo.Services.GetRequiredService<IGrainFactory>();
            var status = (await Strategy(grains).GetStatusAsync())!;
            Assert.True(status.Running);
            await WaitAsync(() => Strategy(grains).GetStatusAsync(), s => s!.BarsSeen > status.BarsSeen, TimeSpan.FromSeconds(20), "a bar after the restart");
            Assert.True((await grains.GetGrain<IAccountGrain>("demo").GetFillsAsync(0, 100)).Count >= fillsBefore);
        }
    }

    [Fact]
    public async Task ADemoStrategyTheUserStopped_StaysStoppedAfterARestart()
    {
        using (var silo = Silo(feed: "none"))
        {
            using var client = silo.CreateClient();
            await SeededAsync(silo);
            var grains = silo.Services.GetRequiredService<IGrainFactory>();
            Assert.True((await Strategy(grains).GetStatusAsync())!.Running);
            Assert.True((await Strategy(grains).StopAsync()).Succeeded);
        }

        SqliteConnection.ClearAllPools();
        using (var silo = Silo(feed: "none"))
        {
            using var client = silo.CreateClient();
            await SeededAsync(silo);
            Assert.False((await Strategy(silo.Services.GetRequiredService<IGrainFactory>()).GetStatusAsync())!.Running);
        }
    }

    [Fact]
    public async Task ADemoStrategyTheUserDeleted_IsNotCreatedAgainOnARestart()
    {
        using (var silo = Silo(feed: "none"))
        {
            using var client = silo.CreateClient();
            await SeededAsync(silo);
            var grains = silo.Services.GetRequiredService<IGrainFactory>();
            Assert.NotNull(await Strategy(grains).GetStatusAsync());
            Assert.True((await Strategy(grains).DeleteAsync()).Succeeded);
        }

        SqliteConnection.ClearAllPools();
        using (var silo = Silo(feed: "none"))
        {
            using var client = silo.CreateClient();
            await SeededAsync(silo);
            var grains = silo.Services.GetRequiredService<IGrainFactory>();
            Assert.Null(await Strategy(grains).GetStatusAsync());
            Assert.Equal("Demo: SMA crossover on SPY", (await grains.GetGrain<IAccountGrain>("demo").GetSnapshotAsync())?.Name);
        }
    }

    /// <summary>Waits until the demo seeder (a background service) has done its work on this start.</summary>
    private static Task SeededAsync(WebApplicationFactory<Program> silo) => silo.Services.GetServices<IHostedService>()
        .OfType<BackgroundService>().Single(s => s.GetType().Name == "DemoSeeder").ExecuteTask!.WaitAsync(Ct);

    private static IStrategyGrain Strategy(IGrainFactory grains) => grains.GetGrain<IStrategyGrain>(StrategyKey.Create("demo", "sma-demo"));

    private WebApplicationFactory<Program> Silo(string feed = "synthetic") => new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
        .UseSetting("Storage:DataDirectory", _data.Path)
        .UseSetting("Feed:Kind", feed));

    private static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"No {what} within {timeout.TotalSeconds} s.");
            await Task.Delay(200, Ct);
        }
    }
}
