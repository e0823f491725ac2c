using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// Explicit subscriptions on a durable stream over a SQL log survive a silo restart: a test cluster is restarted against
/// the same database, and the subscriber grain, activated by the next event, resumes its stored subscription. Subclass
/// once per provider; <see cref="AddStreamLog"/> registers the log as "durable" over the same store on every start.
/// </summary>
public abstract class StoredSubscriptionClusterTests
{
    private readonly SubscriptionProbe _probe = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StoredSubscription_SurvivesSiloRestart_AndTheGrainReceivesAfterResume()
    {
        await using var cluster = await DeployAsync();
        var key = NewKey();
        await cluster.Client.GetGrain<ISubscriberGrain>(key).Subscribe();

        await cluster.RestartSiloAsync(Ct);
        var stored = await StoredSubscriptionsAsync(cluster, key);
        await Stream(cluster, key).OnNextAsync(new SubscriptionEvent(7));

        Assert.Equal(["7@1"], await _probe.WaitForAsync(key + "/received", 1));
        Assert.Equal(["0", "1"], _probe.Get(key + "/resumed"));
        Assert.Equal([GrainId.Create("subscriber", key)], stored.Select(s => s.Subscriber));
    }

    [Fact]
    public async Task Unsubscribe_SurvivesSiloRestart()
    {
        await using var cluster = await DeployAsync();
        var key = NewKey();
        await cluster.Client.GetGrain<ISubscriberGrain>(key + "~leaving").Subscribe();
        await cluster.Client.GetGrain<ISubscriberGrain>(key + "~staying").Subscribe();
        await cluster.Client.GetGrain<ISubscriberGrain>(key + "~leaving").UnsubscribeAll();

        await cluster.RestartSiloAsync(Ct);
        var stored = await StoredSubscriptionsAsync(cluster, key);
        await Stream(cluster, key).OnNextAsync(new SubscriptionEvent(1));
        var stayingReceived = await _probe.WaitForAsync(key + "~staying/received", 1);

        Assert.Equal([GrainId.Create("subscriber", key + "~staying")], stored.Select(s => s.Subscriber));
        Assert.Equal(["1@1"], stayingReceived);
        Assert.Empty(_probe.Get(key + "~leaving/received"));
        Assert.Equal(0, await cluster.Client.GetGrain<ISubscriberGrain>(key + "~leaving").CountHandles());
    }

    [Fact]
    public async Task EventPublishedWhileTheSiloStopsGracefully_IsStored_AndReachesTheStoredSubscriberAfterRestart()
    {
        await using var cluster = await DeployAsync();
        var key = NewKey();
        await cluster.Client.GetGrain<ISubscriberGrain>(key + "~listening").Subscribe();
        await cluster.Client.GetGrain<ISubscriberGrain>(key + "~publishing").PublishWhenDeactivated(5);

        await cluster.RestartSiloAsync(Ct);
        var stored = await GetLog(cluster.ServiceProvider).ReadStreamAsync(StreamId.Create(SubscriberGrain.Namespace, key), 0, 10, Ct);

        Assert.Equal([1L], stored.Select(e => e.Sequence));
        Assert.Equal(["5@1"], await _probe.WaitForAsync(key + "~listening/received", 1));
    }

    [Fact]
    public async Task UnsubscribeWhileTheSiloStopsGracefully_DeletesTheStoredSubscription()
    {
        await using var cluster = await DeployAsync();
        var key = NewKey();
        await cluster.Client.GetGrain<ISubscriberGrain>(key + "~leaving").Subscribe();
        await cluster.Client.GetGrain<ISubscriberGrain>(key + "~leaving").UnsubscribeWhenDeactivated();
        await cluster.Client.GetGrain<ISubscriberGrain>(key + "~staying").Subscribe();

        await cluster.RestartSiloAsync(Ct);

        Assert.Equal([GrainId.Create("subscriber", key + "~staying")], (await StoredSubscriptionsAsync(cluster, key)).Select(s => s.Subscriber));
    }

    [Fact]
    public async Task RewindWhileTheSiloStopsGracefully_IsStored_AndTheSubscriberGetsTheEventsAgainAfterRestart()
    {
        await using var cluster = await DeployAsync();
        var key = NewKey();
        var grain = cluster.Client.GetGrain<ISubscriberGrain>(key);
        await grain.Subscribe();
        await Stream(cluster, key).OnNextBatchAsync([new SubscriptionEvent(1), new SubscriptionEvent(2)]);
        await _probe.WaitForAsync(key + "/received", 2);
        await grain.RewindWhenDeactivated(1);

        await cluster.RestartSiloAsync(Ct);
        await Stream(cluster, key).OnNextAsync(new SubscriptionEvent(3));

        // Like a subscribe or an append from OnDeactivateAsync, the rewind is stored for the next silo, not cut by the stop.
        Assert.Equal(["1@1", "2@2", "1@1"], (await _probe.WaitForAsync(key + "/received", 3)).Take(3));
        Assert.Equal(["1@1", "2@2", "1@1", "2@2", "3@3"], await _probe.WaitForAsync(key + "/received", 5));
    }

    /// <summary>Registers the provider's log under the name "durable" (the same store on every silo start).</summary>
    protected abstract void AddStreamLog(ISiloBuilder silo);

    /// <summary>The running silo's log, to read the stored subscriptions.</summary>
    protected abstract IDurableStreamLog GetLog(IServiceProvider services);

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static IAsyncStream<SubscriptionEvent> Stream(TestCluster cluster, string key) =>
        cluster.Client.GetStreamProvider("durable").GetStream<SubscriptionEvent>(StreamId.Create(SubscriberGrain.Namespace, key));

    private async Task<IReadOnlyList<StoredStreamSubscription>> StoredSubscriptionsAsync(TestCluster cluster, string key) =>
        [.. (await GetLog(cluster.ServiceProvider).ReadSubscriptionsAsync(Ct)).Where(s => s.StreamId == StreamId.Create(SubscriberGrain.Namespace, key))];

    private async Task<TestCluster> DeployAsync()
    {
        var cluster = new TestClusterBuilder()
            .AddSiloBuilderConfigurator(silo =>
            {
                silo.AddGrains(typeof(SubscriberGrain).Assembly);
                silo.AddJsonSerializerContext(TestJsonContext.Default);
                silo.Services.AddSingleton(_probe);
                AddStreamLog(silo);
                silo.AddDurableStreams("durable", GetLog, o => o.RetryDelay = TimeSpan.Zero);
            })
            .Build();
        await cluster.DeployAsync(Ct);
        return cluster;
    }
}
