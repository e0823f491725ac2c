using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

public sealed class MemoryStreamTests
{
    [Fact]
    public async Task MemoryStream_ActivatesImplicitSubscriber_OnFirstEvent()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var stream = cluster.Client.GetStreamProvider("memory").GetStream<TestEvent>(StreamId.Create("memory-events", "sym-1"));

        await stream.OnNextAsync(new TestEvent(1));
        await stream.OnNextAsync(new TestEvent(2));

        Assert.Equal(["1@0", "2@0"], await cluster.Probe.WaitForLogAsync("sym-1/received", 2));
        Assert.Equal(["memory"], cluster.Probe.GetLog("sym-1/activated"));
    }

    [Fact]
    public async Task MemoryStream_KeepsNoDeactivatedSubscriber_InMemory()
    {
        // The second event of each stream is delivered while its subscriber is subscribed, so the stream's queue resolves its
        // consumers from a registry array holding that subscription. The queue kept the array after the deactivation, and
        // with it the activation and its grain, until the stream's next event (an account's events: its next order).
        const int subscribers = 20;
        await using var cluster = await IsolatedCluster.StartAsync();
        for (var i = 0; i < subscribers; i++)
        {
            var key = "idle-" + i;
            var stream = cluster.Client.GetStreamProvider("memory").GetStream<TestEvent>(StreamId.Create("memory-events", key));
            await stream.OnNextAsync(new TestEvent(1));
            await cluster.Probe.WaitForLogAsync(key + "/received", 1);
            await stream.OnNextAsync(new TestEvent(2));
            await cluster.Probe.WaitForLogAsync(key + "/received", 2);
        }

        var runtime = cluster.Cluster.ServiceProvider.GetRequiredService<GrainRuntime>();
        var activations = runtime.Catalog.Snapshot().Where(a => a.GrainInstance is MemorySubscriberGrain).ToList();
        Assert.Equal(subscribers, activations.Count);
        foreach (var activation in activations)
        {
            activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "test"));
            await activation.Deactivated.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        }

        var provider = (MemoryStreamProvider)runtime.Streams.Get("memory");
        Assert.Equal(0, provider.SubscriptionsHeldByConsumerCache().Count(s => s.Owner is { Deactivated.IsCompleted: true }));
    }

    [Fact]
    public async Task MemoryStream_IsBounded_AndReportsDrops()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddMemoryStreams("bounded", o => o.QueueCapacity = 2));
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
        var received = new List<int>();
        var stream = provider.GetStream<TestEvent>(StreamId.Create("ticks", "AAPL"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allDelivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await stream.SubscribeAsync(async (e, _) =>
        {
            firstEntered.TrySetResult();
            await gate.Task;
            received.Add(e.Number);
            if (received.Count == 3)
            {
                allDelivered.TrySetResult();
            }
        });

        await stream.OnNextAsync(new TestEvent(1));
        await firstEntered.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        for (var i = 2; i <= 6; i++)
        {
            await stream.OnNextAsync(new TestEvent(i));
        }

        gate.SetResult();
        await allDelivered.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.Equal([1, 2, 3], received);
        Assert.Equal(3, provider.DroppedEventCount);
        Assert.Equal(3, Interlocked.Read(ref measured));
    }

    [Fact]
    public async Task ExplicitSubscription_DeliversToGrain_UntilUnsubscribed()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<IExplicitSubscriberGrain>("sub");
        var stream = cluster.Client.GetStreamProvider("memory").GetStream<TestEvent>(StreamId.Create("explicit", "s1"));
        await grain.Subscribe("s1");

        await stream.OnNextAsync(new TestEvent(1));
        var received = await cluster.Probe.WaitForLogAsync("sub/received", 1);
        var handles = await grain.CountHandles("s1");
        await grain.UnsubscribeAll("s1");
        var handlesAfter = await grain.CountHandles("s1");
        await stream.OnNextAsync(new TestEvent(2));
        await stream.OnNextAsync(new TestEvent(3));

        Assert.Equal(["1"], received);
        Assert.Equal(1, handles);
        Assert.Equal(0, handlesAfter);
        Assert.Empty(await cluster.Client.GetStreamProvider("memory").GetStream<TestEvent>(StreamId.Create("explicit", "s1")).GetAllSubscriptionHandles());
    }

    [Fact]
    public async Task MemoryStream_IsNotRewindable()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var stream = cluster.Client.GetStreamProvider("memory").GetStream<TestEvent>(StreamId.Create("x", "y"));

        await Assert.ThrowsAsync<NotSupportedException>(() => stream.SubscribeAsync((_, _) => Task.CompletedTask, new StreamSequenceToken(1)));
    }
}
