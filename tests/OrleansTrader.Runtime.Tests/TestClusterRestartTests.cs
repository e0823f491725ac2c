using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime.Testing;
using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

/// <summary>A test's client, grain references and stream handles outlive a silo restart, as an Orleans TestCluster's do.</summary>
public sealed class TestClusterRestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReferenceTakenBeforeARestart_ReachesTheGrainInTheNextSilo_WithItsState()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var counter = cluster.Client.GetGrain<ICounterAGrain>("kept-reference");
        Assert.Equal(2, await counter.Add(2));

        await cluster.Cluster.RestartSiloAsync(Ct);

        Assert.Equal(5, await counter.Add(3));
    }

    [Fact]
    public async Task FactoryTakenBeforeACrashAndRestart_GivesReferencesToTheNextSilo()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var factory = cluster.Cluster.GrainFactory;
        Assert.Equal(4, await factory.GetGrain<ICounterAGrain>("kept-factory").Add(4));

        await cluster.Cluster.KillAndRestartSiloAsync(Ct);

        Assert.Equal(5, await factory.GetGrain<ICounterAGrain>("kept-factory").Add(1));
    }

    [Fact]
    public async Task ReferenceUsedWhileTheClusterIsStopped_IsRefusedAsTheSiloShutsDown()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var counter = cluster.Client.GetGrain<ICounterAGrain>("stopped");

        await cluster.Cluster.StopAllSilosAsync(Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => counter.Add(1));
        Assert.Equal("The silo is shutting down; counter-a/stopped cannot be activated.", error.Message);
    }

    [Fact]
    public async Task StreamTakenBeforeARestart_PublishesToTheNextSilo()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var provider = cluster.Client.GetStreamProvider("memory");
        var stream = provider.GetStream<TestEvent>(StreamId.Create("memory-events", "kept-stream"));
        await stream.OnNextAsync(new TestEvent(1));
        await cluster.Probe.WaitForLogAsync("kept-stream/received", 1);

        await cluster.Cluster.RestartSiloAsync(Ct);

        await stream.OnNextAsync(new TestEvent(2));
        await provider.GetStream<TestEvent>(StreamId.Create("memory-events", "kept-stream")).OnNextAsync(new TestEvent(3));
        Assert.Equal(["1@0", "2@0", "3@0"], await cluster.Probe.WaitForLogAsync("kept-stream/received", 3));
    }

    [Fact]
    public async Task DurableStreamTakenBeforeARestart_PublishesToTheNextSilo()
    {
        var log = new MemoryDurableStreamLog();
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => log));
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("durable-events", "kept-durable"));
        await stream.OnNextAsync(new TestEvent(1));
        await cluster.Probe.WaitForLogAsync("kept-durable/received", 1);

        await cluster.Cluster.RestartSiloAsync(Ct);

        await stream.OnNextAsync(new TestEvent(2));
        Assert.Equal(["1@1", "2@2"], await cluster.Probe.WaitForLogAsync("kept-durable/received", 2));
    }

    [Fact]
    public async Task StreamTakenBeforeARestart_SubscribesInTheNextSilo_WhereTheClientsEarlierSubscriptionHasEnded()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var stream = cluster.Client.GetStreamProvider("memory").GetStream<TestEvent>(StreamId.Create("client-events", "kept"));
        var heardBefore = new List<int>();
        var firstHeard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var before = await stream.SubscribeAsync((e, _) =>
        {
            heardBefore.Add(e.Number);
            firstHeard.TrySetResult();
            return Task.CompletedTask;
        });
        await stream.OnNextAsync(new TestEvent(1));
        await firstHeard.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        await cluster.Cluster.RestartSiloAsync(Ct);

        var heardAfter = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var after = await stream.SubscribeAsync((e, _) =>
        {
            heardAfter.TrySetResult(e.Number);
            return Task.CompletedTask;
        });
        await stream.OnNextAsync(new TestEvent(2));
        Assert.Equal(2, await heardAfter.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct));
        Assert.Equal([1], heardBefore);
        Assert.Equal([after.HandleId], (await stream.GetAllSubscriptionHandles()).Select(handle => handle.HandleId));
        await before.UnsubscribeAsync();
    }

    /// <summary>
    /// A memory provider cast for its counters before a restart reported the stopped silo's (nothing queued, nothing
    /// dropped) while the streams it gave published in the next silo: its counters follow them there.
    /// </summary>
    [Fact]
    public async Task MemoryProviderTakenBeforeARestart_CountsTheNextSilosQueueAndDrops()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddMemoryStreams("bounded", o => o.QueueCapacity = 1));
        var provider = (MemoryStreamProvider)cluster.Client.GetStreamProvider("bounded");

        await cluster.Cluster.RestartSiloAsync(Ct);

        var streamId = StreamId.Create("client-events", "counted");
        var stream = provider.GetStream<TestEvent>(streamId);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await stream.SubscribeAsync(async (_, _) =>
        {
            entered.TrySetResult();
            await gate.Task;
        });
        await stream.OnNextAsync(new TestEvent(1));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await stream.OnNextAsync(new TestEvent(2)); // waits in the queue of one behind the subscriber's turn
        await stream.OnNextAsync(new TestEvent(3)); // the queue is full: dropped
        var counted = (provider.GetQueuedCount(streamId), provider.DroppedEventCount);
        gate.SetResult();

        Assert.Equal((1, 1L), counted);
        Assert.Equal(1L, ((MemoryStreamProvider)cluster.Client.GetStreamProvider("bounded")).DroppedEventCount);
    }

    [Fact]
    public async Task DeployThatFails_StopsTheSiloItStarted_AndTheNextDeploySucceeds()
    {
        var time = new FakeTimeProvider();
        using var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        IReminderTable reminders = new UnreachableReminderTable();
        await using var cluster = new TestClusterBuilder()
            .AddSiloBuilderConfigurator(silo =>
            {
                TestSilo.Configure(silo, new TestProbe(), storage, time);
                silo.Services.AddSingleton(reminders);
            })
            .Build();

        var error = await Assert.ThrowsAsync<IOException>(() => cluster.DeployAsync(Ct));

        Assert.Equal(UnreachableReminderTable.Failure, error.Message);
        Assert.Equal(0, time.ActiveTimerCount);
        reminders = new MemoryReminderTable();
        await cluster.DeployAsync(Ct);
        Assert.Equal(3, await cluster.Client.GetGrain<ICounterAGrain>("after-failed-deploy").Add(3));
    }

    [Fact]
    public async Task ClusterNeverDeployed_DisposesWithoutError()
    {
        var cluster = new TestClusterBuilder().Build();

        await cluster.DisposeAsync();

        Assert.Throws<InvalidOperationException>(() => cluster.Client);
    }
}
