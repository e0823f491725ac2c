using System.Diagnostics;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Benchmarks.Trading;

/// <summary>
/// paper.archive-index: an account's first archive question after a restart (the idempotency check of a new client order
/// id, which no archived order has) on SQLite, with <see cref="ArchivedOrders"/> filled market orders archived in chunks
/// of a checkpoint's 128 orders. It builds the account's archive index; the line gives its time, the bytes allocated, the
/// managed heap it leaves, and the chunk and key records it read. paper.archive-index.upgrade: the same on the store as
/// an earlier build left it, chunks without key records, which that first question reads and writes the key records of.
/// paper.archive-prune: on the same archive, a restarted store's first checkpoint once the retention has passed the
/// oldest 16 chunks, which it deletes; the line gives its time and the chunk and key records it read.
/// paper.archive-prune.upgrade: the same with key records as the build before wrote them, without the chunk's newest instant
/// and ETag, so the chunks are read for them.
/// </summary>
internal sealed class PaperArchiveIndexBenchmarks : IBenchmarkSuite
{
    private const string AccountId = "bench";
    private const int OrdersPerChunk = 128;
    private const int ArchivedOrders = 100_000;
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 15, 0, 0, TimeSpan.Zero);

    public string Name => "archive";

    /// <summary>The retention the prune scenarios run with, and the chunks they find past it (one checkpoint's worth).</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    private const int ExpiredChunks = 16;

    public IReadOnlyList<string> Scenarios { get; } =
        ["paper.archive-index", "paper.archive-index.upgrade", "paper.archive-prune", "paper.archive-prune.upgrade"];

    public async Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var orders = context.Quick ? ArchivedOrders / 10 : ArchivedOrders;
        if (context.Wants("paper.archive-index"))
        {
            await MeasureAsync(context, "paper.archive-index", orders, withoutKeyRecords: false);
        }

        if (context.Wants("paper.archive-index.upgrade"))
        {
            await MeasureAsync(context, "paper.archive-index.upgrade", orders, withoutKeyRecords: true);
        }

        if (context.Wants("paper.archive-prune"))
        {
            await MeasurePruneAsync(context, "paper.archive-prune", orders, formatThreeKeyRecords: false);
        }

        if (context.Wants("paper.archive-prune.upgrade"))
        {
            await MeasurePruneAsync(context, "paper.archive-prune.upgrade", orders, formatThreeKeyRecords: true);
        }
    }

    private static Task MeasurePruneAsync(BenchmarkContext context, string scenario, int orders, bool formatThreeKeyRecords) =>
        OnArchivedStoreAsync(orders, async storage =>
        {
            if (formatThreeKeyRecords)
            {
                await StripRetentionFieldsAsync(storage, AccountId, orders);
            }

            // Chunk k's newest order is 128k + 127 tenths of a second after the start: the cutoff falls between the 16th and 17th.
            var now = Start + Retention + TimeSpan.FromSeconds(((ExpiredChunks * OrdersPerChunk) + 64) / 10.0);

            // A warm-up prune first, of another account's two chunks, so the measured one does not pay for the JIT.
            await ArchiveAsync(storage, 2 * OrdersPerChunk, "warm-up");
            if (formatThreeKeyRecords)
            {
                await StripRetentionFieldsAsync(storage, "warm-up", 2 * OrdersPerChunk);
            }

            var warmUp = new GrainStoragePaperVenueStore(storage, new FixedClock(now), Retention, TimeSpan.Zero);
            var warmUpLoaded = await warmUp.LoadAsync("warm-up", CancellationToken.None) ?? throw new InvalidOperationException("no venue stored");
            await warmUp.SaveAsync("warm-up", null, () => warmUpLoaded, CancellationToken.None);
            var counting = new CountingStorage(storage);
            var store = new GrainStoragePaperVenueStore(counting, new FixedClock(now), Retention, TimeSpan.Zero);
            var loaded = await store.LoadAsync(AccountId, CancellationToken.None) ?? throw new InvalidOperationException("no venue stored");
            var (chunksBefore, keysBefore) = (counting.ChunksRead, counting.KeysRead);
            var clock = Stopwatch.StartNew();
            await store.SaveAsync(AccountId, null, () => loaded, CancellationToken.None);
            clock.Stop();
            var pruned = await storage.ReadRecordAsync<PaperArchiveChunk>("chunk-" + (ExpiredChunks - 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                GrainId.Create("paper-venue-archive", AccountId));
            var kept = await storage.ReadRecordAsync<PaperArchiveChunk>("chunk-" + ExpiredChunks.ToString(System.Globalization.CultureInfo.InvariantCulture),
                GrainId.Create("paper-venue-archive", AccountId));
            context.Report(new Dictionary<string, object?>
            {
                ["scenario"] = scenario,
                ["archived_orders"] = orders,
                ["chunks_deleted"] = ExpiredChunks,
                ["checkpoint_ms"] = Math.Round(clock.Elapsed.TotalMilliseconds, 1),
                ["chunk_records_read"] = counting.ChunksRead - chunksBefore,
                ["key_records_read"] = counting.KeysRead - keysBefore,
                ["complete"] = !pruned.RecordExists && kept.RecordExists,
            });
        });

    /// <summary>The key records as the build before wrote them: the chunk's ids and newest execution only.</summary>
    private static async Task StripRetentionFieldsAsync(IGrainStorage storage, string accountId, int orders)
    {
        var archiveId = GrainId.Create("paper-venue-archive", accountId);
        for (var number = 0; number < (orders + OrdersPerChunk - 1) / OrdersPerChunk; number++)
        {
            var name = "keys-" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var keys = await storage.ReadRecordAsync<PaperArchiveChunkKeys>(name, archiveId);
            keys.State = keys.State with { Newest = null, ChunkETag = null };
            await storage.WriteStateAsync(name, archiveId, keys);
        }
    }

    private static Task MeasureAsync(BenchmarkContext context, string scenario, int orders, bool withoutKeyRecords) =>
        OnArchivedStoreAsync(orders, async storage =>
        {
            if (withoutKeyRecords)
            {
                await DeleteKeyRecordsAsync(storage, orders);
            }

            // A warm-up build first, on a store of its own and its own account's copy, so the measured one does not pay for
            // the JIT (nor, for the upgrade, find the key records the warm-up wrote).
            await WarmUpAsync(storage);

            var counting = new CountingStorage(storage);
            var store = new GrainStoragePaperVenueStore(counting);
            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var found = await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "new-order", CancellationToken.None);
            clock.Stop();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
            var known = await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c" + (orders / 2).ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
            GC.KeepAlive(store);

            // After a restart: a new store over the same file.
            var restarted = new CountingStorage(storage);
            var clockAgain = Stopwatch.StartNew();
            await new GrainStoragePaperVenueStore(restarted).FindArchivedOrderByClientOrderIdAsync(AccountId, "new-order", CancellationToken.None);
            clockAgain.Stop();
            context.Report(new Dictionary<string, object?>
            {
                ["scenario"] = scenario,
                ["archived_orders"] = orders,
                ["chunks"] = (orders + OrdersPerChunk - 1) / OrdersPerChunk,
                ["first_question_ms"] = Math.Round(clock.Elapsed.TotalMilliseconds, 1),
                ["allocated_mb"] = Math.Round(allocated / 1_048_576.0, 1),
                ["heap_growth_mb"] = Math.Round((heapAfter - heapBefore) / 1_048_576.0, 1),
                ["chunk_records_read"] = counting.ChunksRead,
                ["key_records_read"] = counting.KeysRead,
                ["key_records_written"] = counting.KeysWritten,
                ["after_restart_ms"] = Math.Round(clockAgain.Elapsed.TotalMilliseconds, 1),
                ["after_restart_chunk_records_read"] = restarted.ChunksRead,
                ["complete"] = found is null && known is not null,
            });
        });

    /// <summary>
    /// Runs <paramref name="measure"/> on a SQLite store of its own, in a temporary directory deleted afterwards, with
    /// <paramref name="orders"/> archived for the account.
    /// </summary>
    private static async Task OnArchivedStoreAsync(int orders, Func<SqliteGrainStorage, Task> measure)
    {
        var root = Path.Combine(Path.GetTempPath(), "orleanstrader-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(root, "storage.db") });
            var storage = new SqliteGrainStorage(database, new JsonGrainStateSerializer([GrainsStateJsonContext.Default]));
            await storage.InitializeAsync();
            await ArchiveAsync(storage, orders);
            await measure(storage);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Builds the index of a small account of its own once, so the code the measured build runs is compiled.</summary>
    private static async Task WarmUpAsync(IGrainStorage storage)
    {
        var writer = new GrainStoragePaperVenueStore(storage);
        var steps = Enumerable.Range(0, OrdersPerChunk).ToList();
        await writer.ArchiveAsync("warm-up", new PaperVenueArchive { Orders = [.. steps.Select(Filled)], Executions = [.. steps.Select(Fill)] }, CancellationToken.None);
        await writer.SaveAsync("warm-up", null, () => new PaperVenueSnapshot { NextSequence = OrdersPerChunk + 1 }, CancellationToken.None);
        await new GrainStoragePaperVenueStore(storage).FindArchivedOrderByClientOrderIdAsync("warm-up", "new-order", CancellationToken.None);
    }

    /// <summary>The store as a build before key records left it.</summary>
    private static async Task DeleteKeyRecordsAsync(IGrainStorage storage, int orders)
    {
        var archiveId = GrainId.Create("paper-venue-archive", AccountId);
        for (var number = 0; number < (orders + OrdersPerChunk - 1) / OrdersPerChunk; number++)
        {
            var name = "keys-" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await storage.DeleteStateAsync(name, archiveId, await storage.ReadRecordAsync<PaperArchiveChunkKeys>(name, archiveId));
        }
    }

    /// <summary>Archives <paramref name="orders"/> filled market orders with one execution each, a chunk per 128, and the checkpoint counting them.</summary>
    private static async Task ArchiveAsync(IGrainStorage storage, int orders, string accountId = AccountId)
    {
        var writer = new GrainStoragePaperVenueStore(storage);
        for (var first = 0; first < orders; first += OrdersPerChunk)
        {
            var steps = Enumerable.Range(first, Math.Min(OrdersPerChunk, orders - first)).ToList();
            await writer.ArchiveAsync(accountId, new PaperVenueArchive { Orders = [.. steps.Select(Filled)], Executions = [.. steps.Select(Fill)] }, CancellationToken.None);
        }

        await writer.SaveAsync(accountId, null, () => new PaperVenueSnapshot { NextSequence = orders + 1 }, CancellationToken.None);
    }

    private static PaperOrderRecord Filled(int step)
    {
        var request = new OrderRequest
        {
            ClientOrderId = "c" + step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Symbol = "AAPL",
            Side = OrderSide.Buy,
            Type = OrderType.Market,
            Quantity = 1m,
        };
        var at = Start.AddMilliseconds(step * 100L);
        var order = Order.Create("o" + step.ToString(System.Globalization.CultureInfo.InvariantCulture), request, at) with
        {
            Status = OrderStatus.Filled, FilledQuantity = 1m, AverageFillPrice = 100.01m, UpdatedAt = at,
        };
        return new PaperOrderRecord { Order = order, Sequence = step + 1 };
    }

    private static Execution Fill(int step) => new()
    {
        ExecutionId = "e" + step.ToString(System.Globalization.CultureInfo.InvariantCulture),
        OrderId = "o" + step.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ClientOrderId = "c" + step.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Symbol = "AAPL",
        Side = OrderSide.Buy,
        Quantity = 1m,
        Price = 100.01m,
        Timestamp = Start.AddMilliseconds(step * 100L),
    };

    /// <summary>A clock standing at <paramref name="now"/>: the retention's cutoff, fixed for the run.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The storage, counting the archive chunk and key records read.</summary>
    private sealed class CountingStorage(IGrainStorage inner) : IGrainStorage
    {
        public int ChunksRead { get; private set; }

        public int KeysRead { get; private set; }

        public int KeysWritten { get; private set; }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        {
            Count([stateName]);
            return inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);
        }

        public Task<IReadOnlyList<GrainState<T>>> ReadRecordsAsync<T>(IReadOnlyList<string> stateNames, GrainId grainId, CancellationToken cancellationToken = default)
            where T : class, new()
        {
            Count(stateNames);
            return inner.ReadRecordsAsync<T>(stateNames, grainId, cancellationToken);
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        {
            KeysWritten += stateName.StartsWith("keys-", StringComparison.Ordinal) ? 1 : 0;
            return inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);

        public Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            inner.DeleteStateAsync(stateName, grainId, grainState, cancellationToken);

        private void Count(IReadOnlyList<string> stateNames)
        {
            ChunksRead += stateNames.Count(n => n.StartsWith("chunk-", StringComparison.Ordinal));
            KeysRead += stateNames.Count(n => n.StartsWith("keys-", StringComparison.Ordinal));
        }
    }
}
