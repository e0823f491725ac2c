using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

/// <summary>Batch delivery of the memory provider: order, one turn per waiting batch, failures, drops, subscription changes.</summary>
public sealed class MemoryStreamBatchTests
{
    private static IAsyncStream<TestEvent> Stream(IsolatedCluster cluster, string key, string provider = "memory") =>
        cluster.Client.GetStreamProvider(provider).GetStream<TestEvent>(StreamId.Create("batch-events", key));

    private static string[] Entries(int from, int to, int activation = 1) =>
        [.. Enumerable.Range(from, to - from + 1).Select(i => $"{i}#{activation}")];

    [Fact]
    public async Task MemoryStream_DeliversWaitingEvents_InOrder_InOneTurnPerGrain()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddIncomingGrainCallFilter<RecordingFilter>());
        const string key = "filtered-batch";
        var stream = Stream(cluster, key);
        // The client's subscriber runs apart from the grains: it is waited for on its own, not read while it may still add.
        var seenByClient = new List<int>();
        var clientSawAll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await stream.SubscribeAsync((e, _) =>
        {
            lock (seenByClient)
            {
                seenByClient.Add(e.Number);
                if (seenByClient.Count == 60)
                {
                    clientSawAll.TrySetResult();
                }
            }

            return Task.CompletedTask;
        });

        await stream.OnNextAsync(new TestEvent(1, "block"));
        await cluster.Probe.WaitAsync(key + "/entered/1");
        await stream.OnNextBatchAsync([.. Enumerable.Range(2, 49).Select(i => new TestEvent(i))]);
        for (var i = 51; i <= 60; i++)
        {
            await stream.OnNextAsync(new TestEvent(i));
        }

        cluster.Probe.Signal(key + "/gate/1");
        var received = await cluster.Probe.WaitForLogAsync(key + "/all", 60);

        Assert.Equal(Entries(1, 60), received);
        Assert.Equal(Entries(1, 60), cluster.Probe.GetLog(key + "/first"));
        Assert.Equal(2, cluster.Probe.GetLog(key).Count(e => e == "before stream.OnNextMemoryBatch"));
        await clientSawAll.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        lock (seenByClient)
        {
            Assert.Equal(Enumerable.Range(1, 60), seenByClient);
        }
    }

    [Fact]
    public async Task MemoryStream_SkipsOnlyTheFailedEvent_OfABatch()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        const string key = "poisoned-batch";

        await Stream(cluster, key).OnNextBatchAsync([new(1), new(2), new(3, "poison"), new(4), new(5)]);
        var received = await cluster.Probe.WaitForLogAsync(key + "/all", 4);

        Assert.Equal(["1#1", "2#1", "4#1", "5#1"], received);
        Assert.Equal(Entries(1, 5), cluster.Probe.GetLog(key + "/first"));
        Assert.Equal(1, cluster.Probe.Count(key + "/activations"));
    }

    [Fact]
    public async Task MemoryStream_StopsDeliveringToASubscription_UnsubscribedDuringTheBatch()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        const string key = "unsubscribing-batch";

        await Stream(cluster, key).OnNextBatchAsync([new(1), new(2), new(3, "unsubscribe"), new(4), new(5)]);
        var received = await cluster.Probe.WaitForLogAsync(key + "/all", 5);

        Assert.Equal(Entries(1, 5), received);
        Assert.Equal(Entries(1, 3), cluster.Probe.GetLog(key + "/first"));
    }

    [Fact]
    public async Task MemoryStream_HandsTheRestOfABatch_ToTheNextActivation_AfterAnETagConflict()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        const string key = "conflicting-batch";

        await Stream(cluster, key).OnNextBatchAsync([new(1), new(2, "conflict"), new(3), new(4)]);
        var received = await cluster.Probe.WaitForLogAsync(key + "/all", 3);

        Assert.Equal(["1#1", "3#2", "4#2"], received);
        Assert.Equal(["1#1", "2#1", "3#2", "4#2"], cluster.Probe.GetLog(key + "/first"));
        Assert.Equal(2, cluster.Probe.Count(key + "/activations"));
    }

    [Fact]
    public async Task MemoryStream_DropsTheTailOfABatch_ThatDoesNotFit_AndCountsIt()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddMemoryStreams("bounded", o => o.QueueCapacity = 4));
        var meterFactory = cluster.Cluster.ServiceProvider.GetRequiredService<IMeterFactory>();
        long measured = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "orleanstrader.streams.dropped" && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref measured, value));
        listener.Start();
        var provider = (MemoryStreamProvider)cluster.Client.GetStreamProvider("bounded");
        var stream = provider.GetStream<TestEvent>(StreamId.Create("client-only", "SPY"));
        var received = new List<int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await stream.SubscribeAsync(async (e, _) =>
        {
            firstEntered.TrySetResult();
            await gate.Task;
            received.Add(e.Number);
            if (e.Number == 5)
            {
                drained.TrySetResult();
            }
            else if (e.Number == 100)
            {
                done.TrySetResult();
            }
        });

        await stream.OnNextAsync(new TestEvent(1));
        await firstEntered.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await stream.OnNextBatchAsync([.. Enumerable.Range(2, 9).Select(i => new TestEvent(i))]);
        gate.SetResult();
        await drained.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await stream.OnNextAsync(new TestEvent(100));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.Equal([1, 2, 3, 4, 5, 100], received);
        Assert.Equal(5, provider.DroppedEventCount);
        Assert.Equal(5, Interlocked.Read(ref measured));
    }

    [Fact]
    public async Task MemoryStream_ResolvesConsumersAgain_AfterASubscriptionChange()
    {
        // The delivery loop keeps the consumers it resolved while the stream's subscriptions stay the same: a subscriber
        // added after the first delivery must get what follows, and one that left must get nothing more.
        await using var cluster = await IsolatedCluster.StartAsync();
        var stream = cluster.Client.GetStreamProvider("memory").GetStream<TestEvent>(StreamId.Create("client-only", "resolve-again"));
        var first = new List<int>();
        var second = new List<int>();
        var firstGot1 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstGot2 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondGot3 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstHandle = await stream.SubscribeAsync((e, _) =>
        {
            lock (first)
            {
                first.Add(e.Number);
            }

            (e.Number == 1 ? firstGot1 : firstGot2).TrySetResult();

            return Task.CompletedTask;
        });

        await stream.OnNextAsync(new TestEvent(1));
        await firstGot1.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await stream.SubscribeAsync((e, _) =>
        {
            lock (second)
            {
                second.Add(e.Number);
            }

            if (e.Number == 3)
            {
                secondGot3.TrySetResult();
            }

            return Task.CompletedTask;
        });
        await stream.OnNextAsync(new TestEvent(2));
        await firstGot2.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await firstHandle.UnsubscribeAsync();
        await stream.OnNextAsync(new TestEvent(3));
        await secondGot3.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        lock (first)
        {
            Assert.Equal([1, 2], first);
        }

        lock (second)
        {
            Assert.Equal([2, 3], second);
        }
    }
}
