using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Market;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// LESSONS 6, a stop or start retried after its write failed (a 503: the outcome unknown, so the client sends it again).
/// The first attempt had changed the running flag in memory only, so the retry found it changed and answered at once
/// without writing: a stop was answered done while storage still said running, and the strategy traded again from its
/// next activation (a restart, an idle collection); a start was answered running while nothing ran, and was stopped
/// again by the next activation; a delete was answered 404 while the strategy stayed stored, listed nowhere.
/// </summary>
public sealed class StrategyRunWriteFailureTests
{
    private const string Symbol = "SRWF";

    [Fact]
    public async Task AStopRetriedAfterItsWriteFailed_IsStored_AndTheStrategyStaysStoppedAfterARestart()
    {
        var storage = new WriteFailingStorage("strategy");
        await using var cluster = await StartAsync(storage);
        var strategy = await CreateAsync(cluster, "srwf-stop", start: true);
        storage.FailNext = true;

        await Assert.ThrowsAnyAsync<IOException>(() => strategy.StopAsync());
        var retried = await strategy.StopAsync();
        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);

        Assert.False(retried.Status!.Running);
        Assert.False((await Strategy(cluster, "srwf-stop").GetStatusAsync())!.Running);
    }

    [Fact]
    public async Task AStartRetriedAfterItsWriteFailed_IsStored_AndTheStrategyRunsAfterARestart()
    {
        var storage = new WriteFailingStorage("strategy");
        await using var cluster = await StartAsync(storage);
        var strategy = await CreateAsync(cluster, "srwf-start", start: false);
        storage.FailNext = true;

        await Assert.ThrowsAnyAsync<IOException>(() => strategy.StartAsync());
        var retried = await strategy.StartAsync();
        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);

        Assert.True(retried.Status!.Running);
        Assert.True((await Strategy(cluster, "srwf-start").GetStatusAsync())!.Running);
    }

    [Fact]
    public async Task ADeleteRetriedAfterItsWriteFailed_DeletesTheStrategy_AndItIsGoneAfterARestart()
    {
        var storage = new WriteFailingStorage("strategy");
        await using var cluster = await StartAsync(storage);
        var strategy = await CreateAsync(cluster, "srwf-delete", start: false);
        storage.FailNext = true;

        await Assert.ThrowsAnyAsync<IOException>(() => strategy.DeleteAsync());
        var retried = await strategy.DeleteAsync();
        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);

        Assert.True(retried.Succeeded, retried.Message);
        Assert.Null(await Strategy(cluster, "srwf-delete").GetStatusAsync());
        Assert.Empty(await cluster.Grains.GetGrain<IStrategyDirectoryGrain>("srwf-delete").ListAsync());
    }

    /// <summary>
    /// A parameter change halts a running strategy before its write. When that write failed, the strategy stayed halted (no
    /// bar reached it) while its status said running, and showed the new parameters, which storage never took: the save
    /// timer could store them later, though the change had been answered with an error.
    /// </summary>
    [Fact]
    public async Task AParameterChangeWhoseWriteFailed_LeavesTheStrategyRunningOnItsPreviousParameters()
    {
        var storage = new WriteFailingStorage("strategy");
        await using var cluster = await StartAsync(storage);
        var strategy = await CreateAsync(cluster, "srwf-params", start: true);
        storage.FailNext = true;

        await Assert.ThrowsAnyAsync<IOException>(() => strategy.UpdateParametersAsync(
            new Dictionary<string, string> { ["quantity"] = "7", ["fastPeriod"] = "3", ["slowPeriod"] = "8" }));

        var failed = (await strategy.GetStatusAsync())!;
        Assert.Equal((true, "5"), (failed.Running, failed.Parameters["quantity"]));
        var start = TimeProvider.System.GetUtcNow().AddMinutes(-5);
        start = new DateTimeOffset(start.Ticks - (start.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var minute = TimeSpan.FromMinutes(1);
        Assert.Equal(1, (await cluster.Symbol(Symbol).IngestAsync(new TickBatch { Bars = [new Bar(Symbol, start, minute, 50m, 50m, 50m, 50m, 1_000m)] })).Accepted);
        await Eventually.WaitAsync(strategy.GetStatusAsync, s => s!.BarsSeen == 1, "the bar to reach the strategy, still running", TimeSpan.FromSeconds(30));

        // The change's retry is stored and runs.
        var retried = await strategy.UpdateParametersAsync(new Dictionary<string, string> { ["quantity"] = "7", ["fastPeriod"] = "3", ["slowPeriod"] = "8" });
        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);
        var restarted = (await Strategy(cluster, "srwf-params").GetStatusAsync())!;
        Assert.Equal((true, "7"), (retried.Status!.Running, retried.Status.Parameters["quantity"]));
        Assert.Equal((true, "7"), (restarted.Running, restarted.Parameters["quantity"]));
    }

    private static async Task<IStrategyGrain> CreateAsync(TradingCluster cluster, string accountId, bool start)
    {
        await Market.QuoteAsync(cluster, Symbol, 50m, 50.02m);
        await TestAccounts.OpenAsync(cluster, accountId, 100_000m);
        var strategy = Strategy(cluster, accountId);
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = "sma-crossover",
            Symbols = [Symbol],
            Parameters = new Dictionary<string, string> { ["quantity"] = "5", ["fastPeriod"] = "3", ["slowPeriod"] = "8" },
            Start = start,
        });
        Assert.True(created is { Succeeded: true, Status.Running: var running } && running == start, created.Message);
        return strategy;
    }

    private static IStrategyGrain Strategy(TradingCluster cluster, string accountId) =>
        cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create(accountId, "s"));

    private static Task<TradingCluster> StartAsync(WriteFailingStorage storage) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        ConfigureSilo = silo => silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp)),
    });
}
