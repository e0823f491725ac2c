using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Validation;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

public sealed class KeepAliveResumerTests
{
    [Fact]
    public async Task Resume_GoesOnToTheOtherStrategies_WhenOneFailsWithACancellationOfItsOwn()
    {
        var bad = StrategyKey.Create("resume", "bad");
        var good = StrategyKey.Create("resume", "good");
        var filter = new RecordingFilter(bad);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(filter),
        });
        var reminders = new MemoryReminderTable();
        foreach (var key in new[] { bad, good })
        {
            await reminders.UpsertRowAsync(new ReminderEntry
            {
                GrainId = cluster.Grains.GetGrain<IStrategyGrain>(key).GetGrainId(),
                ReminderName = StrategyGrain.KeepAliveReminder,
                StartAt = DateTimeOffset.UnixEpoch,
                Period = TimeSpan.FromMinutes(1),
            }, TestContext.Current.CancellationToken);
        }

        using var resumer = new KeepAliveResumer(reminders, cluster.Grains, NullLogger<KeepAliveResumer>.Instance);
        await resumer.StartAsync(TestContext.Current.CancellationToken);
        await resumer.ExecuteTask!;

        Assert.Equal([bad, good], filter.Called.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Stop_EndsTheResume_WithoutWaitingForAStrategyThatDoesNotAnswer()
    {
        var stuck = StrategyKey.Create("resume", "stuck");
        var filter = new RecordingFilter(failing: null, stuck);
        // A fake clock that never moves: the stuck call never times out, so only the stop can end the resume.
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = new FakeTimeProvider(DateTimeOffset.UnixEpoch),
            ConfigureSilo = silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(filter),
        });
        var reminders = new MemoryReminderTable();
        await reminders.UpsertRowAsync(new ReminderEntry
        {
            GrainId = cluster.Grains.GetGrain<IStrategyGrain>(stuck).GetGrainId(),
            ReminderName = StrategyGrain.KeepAliveReminder,
            StartAt = DateTimeOffset.UnixEpoch,
            Period = TimeSpan.FromMinutes(1),
        }, TestContext.Current.CancellationToken);
        using var resumer = new KeepAliveResumer(reminders, cluster.Grains, NullLogger<KeepAliveResumer>.Instance);
        await resumer.StartAsync(TestContext.Current.CancellationToken);
        await filter.StuckCalled.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        var stop = resumer.StopAsync(TestContext.Current.CancellationToken);

        // A bound against a hang, not a measure of speed: without the stop ending it, the resume waits for ever here.
        await resumer.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await stop;
        Assert.False(filter.StuckReleased.Task.IsCompleted);
        filter.StuckReleased.SetResult();
    }

    /// <summary>
    /// A replay at full speed is over in a second or two. Started beside the resume, it ran before the running strategies
    /// had subscribed to its bars (on a real silo's restart a strategy saw none of SPY's 4,128), so it waits for the resume.
    /// </summary>
    [Fact]
    public async Task AReplay_StartsOnlyOnceTheRunningStrategiesAreResumed()
    {
        var slow = StrategyKey.Create("resume", "slow");
        var filter = new RecordingFilter(failing: null, slow);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(filter),
        });
        var reminders = new MemoryReminderTable();
        await reminders.UpsertRowAsync(new ReminderEntry
        {
            GrainId = cluster.Grains.GetGrain<IStrategyGrain>(slow).GetGrainId(),
            ReminderName = StrategyGrain.KeepAliveReminder,
            StartAt = DateTimeOffset.UnixEpoch,
            Period = TimeSpan.FromMinutes(1),
        }, TestContext.Current.CancellationToken);
        using var folder = new TempDirectory();
        var file = await MarketFeedPumpTests.WriteTradeRowsAsync(folder, 100);
        var feed = new CsvReplayFeed([new CsvSource(file, "RSM", CsvFileKind.TradeTicks)], new CsvReplayOptions(), new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);
        var resumption = new StrategyResumption();
        using var pump = new MarketFeedPump(feed, cluster.Cluster.Client, TimeProvider.System, NullLogger<MarketFeedPump>.Instance, resumption);
        using var resumer = new KeepAliveResumer(reminders, cluster.Grains, NullLogger<KeepAliveResumer>.Instance, resumption);
        await resumer.StartAsync(TestContext.Current.CancellationToken);
        await filter.StuckCalled.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await pump.StartAsync(TestContext.Current.CancellationToken);

        // While the strategy's resume is held, the replay delivers nothing. Without the wait its 100 rows were delivered
        // long before this bound; with it, the bound passes with nothing delivered.
        var bound = TimeProvider.System.GetUtcNow().AddSeconds(5);
        while (pump.EventsDelivered == 0 && TimeProvider.System.GetUtcNow() < bound)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0L, pump.EventsDelivered);

        filter.StuckReleased.SetResult();
        await resumer.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await Eventually.WaitAsync(() => Task.FromResult(pump.ReplayEnded), ended => ended, "the replay to end after the resume", TimeSpan.FromSeconds(30));
        Assert.Equal(100, (await cluster.Symbol("RSM").GetStatsAsync()).AcceptedTrades);
        await pump.StopAsync(TestContext.Current.CancellationToken);
    }

    private sealed class RecordingFilter(string? failing, string? stuck = null) : IIncomingGrainCallFilter
    {
        public ConcurrentQueue<string> Called { get; } = new();

        public TaskCompletionSource StuckCalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource StuckReleased { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Grain is not StrategyGrain)
            {
                return context.Invoke();
            }

            Called.Enqueue(context.TargetId.Key);
            if (context.TargetId.Key == stuck)
            {
                StuckCalled.TrySetResult();
                return StuckReleased.Task;
            }

            return context.TargetId.Key == failing ? throw new OperationCanceledException("The grain's own call was cancelled.") : context.Invoke();
        }
    }
}
