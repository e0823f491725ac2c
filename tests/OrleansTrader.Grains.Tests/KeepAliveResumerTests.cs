using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Tests.Infrastructure;
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
