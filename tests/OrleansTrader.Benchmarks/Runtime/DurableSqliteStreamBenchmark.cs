using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Benchmarks.Runtime;

/// <summary>
/// runtime.stream.durable.sqlite: the durable provider end to end on a SQLite log file. One producer appends batches
/// (OnNextBatchAsync) round robin to 10 streams, each with one implicit subscriber grain; the figure counts events
/// delivered to the grains (each read back from SQLite, delivered in order, checkpointed), not only appended.
/// </summary>
public sealed class DurableSqliteStreamBenchmark : IBenchmarkSuite
{
    private const int Subscribers = 10;
    private const int BatchSize = 200;

    public string Name => "runtime";

    public IReadOnlyList<string> Scenarios { get; } = ["runtime.stream.durable.sqlite"];

    public async Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        const string scenario = "runtime.stream.durable.sqlite";
        if (!context.Wants(scenario))
        {
            return;
        }

        var dir = Path.Combine(Path.GetTempPath(), "ot-bench-stream-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var recorder = new StreamRecorder();
        var cluster = new TestClusterBuilder()
            .AddSiloBuilderConfigurator(silo =>
            {
                silo.AddGrains(typeof(PingGrain).Assembly);
                silo.AddJsonSerializerContext(BenchJsonContext.Default);
                silo.AddMemoryGrainStorageAsDefault();
                silo.AddMemoryStreams("memory", o => o.QueueCapacity = 4096);
                silo.AddSqliteStreamLog("bench-log", o => o.DataSource = Path.Combine(dir, "streams.db"));
                silo.AddDurableStreams("durable", sp => sp.GetRequiredKeyedService<IDurableStreamLog>("bench-log"));
                silo.Services.AddSingleton(recorder);
            })
            .Build();
        await cluster.DeployAsync();
        try
        {
            var streams = Enumerable.Range(0, Subscribers)
                .Select(i => cluster.Client.GetStreamProvider("durable").GetStream<BenchEvent>(StreamId.Create(StreamSubscriberGrain.DurableNamespace, "sql-" + i)))
                .ToArray();
            await PublishAsync(streams, recorder, 5);
            recorder.TakeLatencies();

            var measure = context.Quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(10);
            var allocatedBefore = GC.GetTotalAllocatedBytes(true);
            var started = Stopwatch.GetTimestamp();
            long events = 0;
            while (Stopwatch.GetElapsedTime(started) < measure)
            {
                events += await PublishAsync(streams, recorder, 10);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
            var latencies = recorder.TakeLatencies();
            context.Report(new Dictionary<string, object?>
            {
                ["scenario"] = scenario,
                ["subscribers"] = Subscribers,
                ["batch_size"] = BatchSize,
                ["events"] = events,
                ["events_per_sec"] = Math.Round(events / elapsed.TotalSeconds),
                ["p50_us"] = Percentiles.Microseconds(latencies, 0.50),
                ["p99_us"] = Percentiles.Microseconds(latencies, 0.99),
                ["alloc_bytes_per_op"] = events == 0 ? 0 : allocated / events,
                ["target_events_per_sec"] = 50_000,
            });
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Appends <paramref name="rounds"/> batches to every stream, then waits until every event was delivered.</summary>
    private static async Task<long> PublishAsync(IAsyncStream<BenchEvent>[] streams, StreamRecorder recorder, int rounds)
    {
        var count = (long)rounds * streams.Length * BatchSize;
        var target = recorder.Delivered + count;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var stream in streams)
            {
                var now = Stopwatch.GetTimestamp();
                await stream.OnNextBatchAsync([.. Enumerable.Range(0, BatchSize).Select(i => new BenchEvent(now, i))]);
            }
        }

        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
        while (recorder.Delivered < target)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Only {recorder.Delivered} of {target} durable stream events were delivered.");
            }

            await Task.Delay(1);
        }

        return count;
    }
}
