using OrleansTrader.Runtime;

namespace OrleansTrader.Benchmarks.Runtime;

[ImplicitStreamSubscription(MemoryNamespace)]
[ImplicitStreamSubscription(DurableNamespace)]
public sealed class StreamSubscriberGrain(StreamRecorder recorder) : Grain, IStreamSubscriberGrain
{
    public const string MemoryNamespace = "bench-memory";
    public const string DurableNamespace = "bench-durable";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        foreach (var (provider, ns) in new[] { ("memory", MemoryNamespace), ("durable", DurableNamespace) })
        {
            await this.GetStreamProvider(provider).GetStream<BenchEvent>(StreamId.Create(ns, key)).SubscribeAsync(OnEventAsync);
        }
    }

    public Task Ping() => Task.CompletedTask;

    private Task OnEventAsync(BenchEvent item, StreamSequenceToken? token)
    {
        recorder.Record(item);
        return Task.CompletedTask;
    }
}
