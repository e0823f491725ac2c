using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Benchmarks.AdoNet;

/// <summary>
/// The SQL providers: conditional grain state writes (one at a time, as one activation writes) and the durable
/// stream log (batched appends, then reading the namespace back in pages). PostgreSQL scenarios run when
/// ORLEANSTRADER_TEST_POSTGRES holds an admin connection string; each run uses a scratch database it drops.
/// </summary>
public sealed class AdoNetBenchmarks : IBenchmarkSuite
{
    private const string PostgresVariable = "ORLEANSTRADER_TEST_POSTGRES";
    private const int AppendBatchSize = 500;
    private const int ReadPageSize = 5000;
    private const int PayloadBytes = 128;
    private const int Grains = 500;

    public string Name => "runtime";

    public IReadOnlyList<string> Scenarios { get; } =
        ["runtime.storage.sqlite", "runtime.streamlog.sqlite", "runtime.storage.postgres", "runtime.streamlog.postgres"];

    public async Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Scenarios.Any(context.Wants))
        {
            return;
        }

        var storageWrites = context.Quick ? 2_000 : 30_000;
        var logEvents = context.Quick ? 60_000 : 1_000_000;
        var root = Path.Combine(Path.GetTempPath(), "orleanstrader-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(root, "storage.db") }))
            {
                await StorageAsync(context, "runtime.storage.sqlite", new SqliteGrainStorage(database, new BenchmarkStateSerializer()), storageWrites);
            }

            using (var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(root, "log.db") }))
            {
                await StreamLogAsync(context, "runtime.streamlog.sqlite", new SqliteDurableStreamLog(database), logEvents);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }

        await PostgresAsync(context, storageWrites / 3, logEvents / 4);
    }

    private static async Task PostgresAsync(BenchmarkContext context, int storageWrites, int logEvents)
    {
        if (!context.Wants("runtime.storage.postgres") && !context.Wants("runtime.streamlog.postgres"))
        {
            return;
        }

        var admin = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(admin))
        {
            foreach (var scenario in new[] { "runtime.storage.postgres", "runtime.streamlog.postgres" })
            {
                context.Report(new Dictionary<string, object?> { ["scenario"] = scenario, ["skipped"] = true, ["reason"] = $"{PostgresVariable} is not set" });
            }

            return;
        }

        var name = "ot_bench_" + Guid.NewGuid().ToString("N");
        await ExecuteAdminAsync(admin, $"CREATE DATABASE {name};");
        try
        {
            var options = new PostgresStorageOptions { ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString };
            await using (var database = new PostgresDatabase(options))
            {
                await StorageAsync(context, "runtime.storage.postgres", new PostgresGrainStorage(database, new BenchmarkStateSerializer()), storageWrites);
                await StreamLogAsync(context, "runtime.streamlog.postgres", new PostgresDurableStreamLog(database), logEvents);
            }
        }
        finally
        {
            await ExecuteAdminAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE);");
        }
    }

    private static async Task StorageAsync(BenchmarkContext context, string scenario, IGrainStorage storage, int writes)
    {
        if (!context.Wants(scenario))
        {
            return;
        }

        var states = Enumerable.Range(0, Grains)
            .Select(i => new GrainState<BenchmarkState>(new BenchmarkState($"ACC-{i:D6}", 100_000m, 100_000m, 0, "benchmark account snapshot")))
            .ToArray();
        var grains = Enumerable.Range(0, Grains).Select(i => GrainId.Create("Benchmarks.AccountGrain", $"ACC-{i:D6}")).ToArray();

        // Warm-up: first write per grain creates the rows and the schema, and JITs the path.
        for (var i = 0; i < Grains; i++)
        {
            await storage.WriteStateAsync("account", grains[i], states[i]);
        }

        var latencies = new long[writes];
        var cpuBefore = CpuTime();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var total = Stopwatch.StartNew();
        for (var n = 0; n < writes; n++)
        {
            var i = n % Grains;
            states[i].State = states[i].State with { Cash = states[i].State.Cash - 1.25m, Version = n };
            var started = Stopwatch.GetTimestamp();
            await storage.WriteStateAsync("account", grains[i], states[i]);
            latencies[n] = Stopwatch.GetTimestamp() - started;
        }

        total.Stop();
        var cpu = CpuTime() - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Array.Sort(latencies);
        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = scenario,
            ["writes"] = writes,
            ["writes_per_s"] = Math.Round(writes / total.Elapsed.TotalSeconds),
            ["p50_us"] = Micros(latencies[writes / 2]),
            ["p99_us"] = Micros(latencies[(int)(writes * 0.99)]),
            ["alloc_bytes_per_op"] = allocated / writes,
            ["cpu_us_per_op"] = Math.Round(cpu.TotalMicroseconds / writes, 1),
            ["mode"] = "sequential conditional writes (ETag) over 500 grains",
        });
    }

    private static async Task StreamLogAsync(BenchmarkContext context, string scenario, IDurableStreamLog log, int events)
    {
        if (!context.Wants(scenario))
        {
            return;
        }

        await log.InitializeAsync();
        const string StreamNamespace = "fills";
        var streams = Enumerable.Range(0, 16).Select(i => StreamId.Create(StreamNamespace, $"ACC-{i:D4}")).ToArray();
        var payload = new byte[PayloadBytes];
        Random.Shared.NextBytes(payload);
        var batch = Enumerable.Repeat(new ReadOnlyMemory<byte>(payload), AppendBatchSize).ToArray();
        var timestamp = new DateTimeOffset(2026, 1, 2, 14, 30, 0, TimeSpan.Zero);
        var batches = events / AppendBatchSize;

        // Warm-up in another namespace, so the timed loop measures steady state rather than JIT tiering.
        for (var b = 0; b < 20; b++)
        {
            await log.AppendAsync(StreamId.Create("warmup", "w"), batch, timestamp);
            await log.ReadNamespaceAsync("warmup", 0, ReadPageSize);
        }

        var cpuBefore = CpuTime();
        var append = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            await log.AppendAsync(streams[b % streams.Length], batch, timestamp);
        }

        append.Stop();
        var appendCpu = CpuTime() - cpuBefore;
        var appended = batches * AppendBatchSize;

        var read = Stopwatch.StartNew();
        var readCount = 0;
        var position = 0L;
        while (true)
        {
            var page = await log.ReadNamespaceAsync(StreamNamespace, position, ReadPageSize);
            if (page.Count == 0)
            {
                break;
            }

            readCount += page.Count;
            position = page[^1].Position;
        }

        read.Stop();
        if (readCount != appended)
        {
            throw new InvalidOperationException($"{scenario}: appended {appended} events but read back {readCount}.");
        }

        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = scenario,
            ["events"] = appended,
            ["batch_size"] = AppendBatchSize,
            ["payload_bytes"] = PayloadBytes,
            ["append_events_per_s"] = Math.Round(appended / append.Elapsed.TotalSeconds),
            ["append_events_per_cpu_s"] = Math.Round(appended / appendCpu.TotalSeconds),
            ["read_events_per_s"] = Math.Round(readCount / read.Elapsed.TotalSeconds),
            ["read_page_size"] = ReadPageSize,
        });
    }

    private static async Task ExecuteAdminAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 60 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>CPU time of this process: on a shared machine wall-clock rates also measure the neighbours.</summary>
    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static double Micros(long ticks) => Math.Round(ticks * 1_000_000.0 / Stopwatch.Frequency, 1);
}
