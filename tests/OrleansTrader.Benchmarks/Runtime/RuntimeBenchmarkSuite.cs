using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Benchmarks.Runtime;

/// <summary>
/// The actor runtime's scenarios: grain call throughput and latency against a bare Channel mailbox, memory storage writes,
/// and memory and durable stream delivery to implicit subscribers.
/// </summary>
public sealed class RuntimeBenchmarkSuite : IBenchmarkSuite
{
    private const int PingGrains = 10_000;
    private const int Callers = 64;

    public string Name => "runtime";

    public IReadOnlyList<string> Scenarios { get; } = ["runtime.ping", "runtime.storage.memory", "runtime.stream.memory", "runtime.stream.durable"];

    public async Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Scenarios.Any(context.Wants))
        {
            return;
        }

        var warmup = context.Quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(3);
        var measure = context.Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(8);
        var recorder = new StreamRecorder();
        var durableLog = new MemoryDurableStreamLog();
        var cluster = new TestClusterBuilder()
            .AddSiloBuilderConfigurator(silo =>
            {
                silo.AddGrains(typeof(PingGrain).Assembly);
                silo.AddJsonSerializerContext(BenchJsonContext.Default);
                silo.AddMemoryGrainStorageAsDefault();
                silo.AddMemoryStreams("memory", o => o.QueueCapacity = 4096);
                silo.AddDurableStreams("durable", _ => durableLog);
                silo.Services.AddSingleton(recorder);
            })
            .Build();
        await cluster.DeployAsync();
        try
        {
            if (context.Wants("runtime.ping"))
            {
                await PingAsync(context, cluster.Client, warmup, measure);
            }

            if (context.Wants("runtime.storage.memory"))
            {
                await StorageAsync(context, cluster.Client, warmup, measure);
            }

            if (context.Wants("runtime.stream.memory"))
            {
                await StreamAsync(context, cluster.Client, recorder, "memory", StreamSubscriberGrain.MemoryNamespace, measure);
            }

            // On the in-memory log; runtime.stream.durable.sqlite is a suite of its own.
            if (context.Wants("runtime.stream.durable"))
            {
                await StreamAsync(context, cluster.Client, recorder, "durable", StreamSubscriberGrain.DurableNamespace, measure);
            }
        }
        finally
        {
            await cluster.StopAllSilosAsync();
        }
    }

    private static async Task PingAsync(BenchmarkContext context, IClusterClient client, TimeSpan warmup, TimeSpan measure)
    {
        var grains = Enumerable.Range(0, PingGrains).Select(i => client.GetGrain<IPingGrain>("ping-" + i)).ToArray();
        await Task.WhenAll(grains.Select(g => g.Ping(0).AsTask()));
        await RunCallersAsync((key, value) => grains[key].Ping(value), warmup);
        var runtime = await RunCallersAsync((key, value) => grains[key].Ping(value), measure);

        await using var baseline = new ChannelMailboxBaseline(PingGrains);
        await RunCallersAsync((key, value) => new ValueTask<int>(baseline.Ping(key, value)), warmup);
        var bare = await RunCallersAsync((key, value) => new ValueTask<int>(baseline.Ping(key, value)), measure);

        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = "runtime.ping",
            ["grains"] = PingGrains,
            ["callers"] = Callers,
            ["calls"] = runtime.Operations,
            ["calls_per_sec"] = Math.Round(runtime.PerSecond),
            ["p50_us"] = runtime.P50Us,
            ["p99_us"] = runtime.P99Us,
            ["alloc_bytes_per_op"] = runtime.AllocPerOp,
            ["baseline_calls_per_sec"] = Math.Round(bare.PerSecond),
            ["baseline_p99_us"] = bare.P99Us,
            ["baseline_alloc_bytes_per_op"] = bare.AllocPerOp,
            ["ratio"] = Math.Round(runtime.PerSecond / bare.PerSecond, 3),
            ["target_calls_per_sec"] = 1_000_000,
            ["target_ratio"] = 0.5,
            ["target_p99_us"] = 1000,
        });
    }

    private static async Task StorageAsync(BenchmarkContext context, IClusterClient client, TimeSpan warmup, TimeSpan measure)
    {
        var grains = Enumerable.Range(0, 1000).Select(i => client.GetGrain<IStorageGrain>("store-" + i)).ToArray();
        await RunCallersAsync((key, _) => new ValueTask<int>(grains[key % grains.Length].Increment()), warmup);
        var result = await RunCallersAsync((key, _) => new ValueTask<int>(grains[key % grains.Length].Increment()), measure);
        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = "runtime.storage.memory",
            ["grains"] = grains.Length,
            ["callers"] = Callers,
            ["writes"] = result.Operations,
            ["writes_per_sec"] = Math.Round(result.PerSecond),
            ["p50_us"] = result.P50Us,
            ["p99_us"] = result.P99Us,
            ["alloc_bytes_per_op"] = result.AllocPerOp,
        });
    }

    /// <summary>One producer publishes round robin to 10 streams (one implicit subscriber grain each) in windows.</summary>
    private static async Task StreamAsync(
        BenchmarkContext context, IClusterClient client, StreamRecorder recorder, string provider, string streamNamespace, TimeSpan measure)
    {
        const int subscribers = 10;
        const int window = 2000;
        var streams = Enumerable.Range(0, subscribers)
            .Select(i => client.GetStreamProvider(provider).GetStream<BenchEvent>(StreamId.Create(streamNamespace, "sub-" + i)))
            .ToArray();
        await PublishWindowAsync(streams, recorder, 200);
        recorder.TakeLatencies();

        var allocatedBefore = GC.GetTotalAllocatedBytes(true);
        var started = Stopwatch.GetTimestamp();
        long events = 0;
        while (Stopwatch.GetElapsedTime(started) < measure)
        {
            await PublishWindowAsync(streams, recorder, window);
            events += window;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        var latencies = recorder.TakeLatencies();
        var dropped = client.GetStreamProvider(provider) is MemoryStreamProvider memory ? memory.DroppedEventCount : 0;
        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = "runtime.stream." + provider,
            ["subscribers"] = subscribers,
            ["events"] = events,
            ["events_per_sec"] = Math.Round(events / elapsed.TotalSeconds),
            ["p50_us"] = Percentiles.Microseconds(latencies, 0.50),
            ["p99_us"] = Percentiles.Microseconds(latencies, 0.99),
            ["alloc_bytes_per_op"] = events == 0 ? 0 : allocated / events,
            ["dropped"] = dropped,
        });
    }

    private static async Task PublishWindowAsync(IAsyncStream<BenchEvent>[] streams, StreamRecorder recorder, int count)
    {
        var target = recorder.Delivered + count;
        for (var i = 0; i < count; i++)
        {
            await streams[i % streams.Length].OnNextAsync(new BenchEvent(Stopwatch.GetTimestamp(), i));
        }

        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
        while (recorder.Delivered < target)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Only {recorder.Delivered} of {target} stream events were delivered.");
            }

            await Task.Yield();
        }
    }

    private static async Task<RunResult> RunCallersAsync(Func<int, int, ValueTask<int>> call, TimeSpan duration)
    {
        var stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var samples = new List<long>[Callers];
        var counts = new long[Callers];
        var allocatedBefore = GC.GetTotalAllocatedBytes(true);
        var started = Stopwatch.GetTimestamp();
        var tasks = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            var caller = c;
            samples[caller] = new List<long>(1 << 16);
            tasks[caller] = Task.Run(async () =>
            {
                var key = caller;
                var list = samples[caller];
                long n = 0;
                while (true)
                {
                    var before = Stopwatch.GetTimestamp();
                    if (before >= stop)
                    {
                        break;
                    }

                    await call(key, (int)n);

                    if ((n & 7) == 0)
                    {
                        list.Add(Stopwatch.GetTimestamp() - before);
                    }

                    n++;
                    key += Callers;
                    if (key >= PingGrains)
                    {
                        key = caller;
                    }
                }

                counts[caller] = n;
            });
        }

        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        var operations = counts.Sum();
        var all = samples.SelectMany(s => s).ToList();
        return new RunResult(
            operations,
            operations / elapsed.TotalSeconds,
            Percentiles.Microseconds(all, 0.50),
            Percentiles.Microseconds(all, 0.99),
            operations == 0 ? 0 : allocated / operations);
    }

    private sealed record RunResult(long Operations, double PerSecond, double? P50Us, double? P99Us, long AllocPerOp);
}
