using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

/// <summary>WaitForQueueBelowAsync: a producer outside grain turns waits for subscribers instead of overflowing the queue.</summary>
public sealed class MemoryStreamFlowControlTests
{
    private sealed class BlockedSubscriber
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FirstEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<int> Received { get; } = [];

        public async Task OnNextAsync(TestEvent item, StreamSequenceToken? token)
        {
            FirstEntered.TrySetResult();
            await Gate.Task;
            lock (Received)
            {
                Received.Add(item.Number);
            }
        }
    }

    [Fact]
    public async Task WaitForQueueBelow_CompletesOnlyOnceSubscribersTookTheWaitingEvents()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddMemoryStreams("bounded", o => o.QueueCapacity = 8));
        var provider = (MemoryStreamProvider)cluster.Client.GetStreamProvider("bounded");
        var streamId = StreamId.Create("flow", "SPY");
        var stream = provider.GetStream<TestEvent>(streamId);
        var subscriber = new BlockedSubscriber();
        await stream.SubscribeAsync(subscriber.OnNextAsync);
        await stream.OnNextAsync(new TestEvent(1));
        await subscriber.FirstEntered.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        await stream.OnNextBatchAsync([.. Enumerable.Range(2, 6).Select(i => new TestEvent(i))]);
        var waiting = provider.GetQueuedCount(streamId);
        var below = provider.WaitForQueueBelowAsync(streamId, 3, TestContext.Current.CancellationToken);
        var completedWhileBlocked = below.IsCompleted;
        subscriber.Gate.SetResult();
        await below.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.Equal(6, waiting);
        Assert.False(completedWhileBlocked);
        Assert.True(provider.GetQueuedCount(streamId) < 3);
        Assert.Equal(0, provider.DroppedEventCount);
    }

    [Fact]
    public async Task WaitForQueueBelow_CompletesAtOnce_ForAStreamWithRoomOrWithoutEvents()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var provider = (MemoryStreamProvider)cluster.Client.GetStreamProvider("memory");

        var below = provider.WaitForQueueBelowAsync(StreamId.Create("flow", "never-published"), 1, TestContext.Current.CancellationToken);

        Assert.True(below.IsCompletedSuccessfully);
        Assert.Equal(0, provider.GetQueuedCount(StreamId.Create("flow", "never-published")));
    }

    [Fact]
    public async Task WaitForQueueBelow_Fails_WhenTheSiloStopsBeforeTheQueueDrains()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddMemoryStreams("bounded", o => o.QueueCapacity = 8));
        var provider = (MemoryStreamProvider)cluster.Client.GetStreamProvider("bounded");
        var streamId = StreamId.Create("flow", "AAPL");
        var stream = provider.GetStream<TestEvent>(streamId);
        var subscriber = new BlockedSubscriber();
        await stream.SubscribeAsync(subscriber.OnNextAsync);
        await stream.OnNextAsync(new TestEvent(1));
        await subscriber.FirstEntered.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await stream.OnNextBatchAsync([new(2), new(3)]);
        var below = provider.WaitForQueueBelowAsync(streamId, 1, TestContext.Current.CancellationToken);

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => below.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
        subscriber.Gate.SetResult();

        Assert.Contains("stopped", error.Message, StringComparison.Ordinal);
    }
}
