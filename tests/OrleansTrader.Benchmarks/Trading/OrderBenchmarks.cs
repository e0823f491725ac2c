using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansTrader.Benchmarks.Runtime;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Benchmarks.Trading;

/// <summary>
/// orders.memory and orders.sqlite: market orders from 100 accounts on liquid symbols; orders/s and the latency from
/// PlaceOrderAsync to the fill applied on the account (seen as the account's Fill event on its event stream). Each account
/// keeps one order outstanding (closed loop: the next order goes when the previous one's fill is applied), so the latency
/// is the service time under load rather than the length of a queue the driver keeps growing. A warm-up of a few orders
/// per account runs first and is not measured.
/// <para>
/// The closed loop measures capacity, not latency: with 100 orders always outstanding the mean latency is 100 divided by
/// the throughput (Little's law), 5 ms at 20,000 orders/s. The latency scenarios (orders.memory.latency,
/// orders.sqlite.latency) therefore offer a fixed rate instead (open loop: each order leaves at its scheduled time
/// whether or not earlier ones have filled) and measure from the scheduled time, so a stall delays every order due
/// during it and shows in the percentiles instead of slowing the driver down (no coordinated omission).
/// </para>
/// <para>
/// orders.memory.resting runs the closed loop while every account also holds resting limit orders that never fill, so
/// each write of an account's core record carries them.
/// </para>
/// <para>
/// Every scenario ends within a bound set by its size. An order whose call fails (a response timeout under load) or whose
/// fill is not seen within <see cref="DefaultFillWait"/> is counted missing (in a closed loop its account then sends no more:
/// its next order would wait for that fill), and the line says <c>complete: false</c> with what is missing, instead of the
/// run hanging or ending before the scenarios after it.
/// </para>
/// </summary>
/// <param name="fillWait">How long a placed order waits for its fill (<see cref="DefaultFillWait"/> unless a test says).</param>
/// <param name="configureSilo">More silo configuration, for tests of the driver (a filter that fails or drops calls).</param>
internal sealed class OrderBenchmarks(TimeSpan? fillWait = null, Action<ISiloBuilder>? configureSilo = null) : IBenchmarkSuite
{
    private const int Accounts = 100;
    private static readonly string[] Symbols = ["SPY", "AAPL", "MSFT", "BAC", "IBM"];

    // The latency scenarios' offered rates: well inside what each storage sustains on the project's 2-core machine, so
    // the percentiles show the service time and its stalls rather than a queue building up.
    private const int MemoryOfferedRate = 4_000;
    private const int SqliteOfferedRate = 1_500;

    // orders.memory.resting: the resting limit orders each account holds while the market orders run.
    private const int RestingOrdersPerAccount = 100;

    // How long a placed order waits for its fill before it counts as missing. The fill follows the placement's answer within
    // milliseconds (the closed loop's p99, placement included, was 0.9 s at load average 25 on the project's machine): one
    // not seen in a minute is a stall to report, not a figure.
    private static readonly TimeSpan DefaultFillWait = TimeSpan.FromSeconds(60);

    // What a closed loop allows per order of one account before it sends no more: 100 orders/s over the 100 accounts, under
    // a quarter of the 454 orders/s orders.memory.resting sustained at load average 25 on the project's machine.
    private static readonly TimeSpan ClosedLoopOrderAllowance = TimeSpan.FromSeconds(1);

    // Missing orders a line names, each with what its account holds for it.
    private const int MissingOrdersNamed = 5;

    private readonly TimeSpan _fillWait = fillWait ?? DefaultFillWait;

    public string Name => "orders";

    public IReadOnlyList<string> Scenarios { get; } =
        ["orders.memory", "orders.memory.latency", "orders.memory.resting", "orders.sqlite", "orders.sqlite.latency"];

    public async Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Wants("orders.memory") || context.Wants("orders.memory.latency"))
        {
            await RunScenarioAsync(context, "orders.memory", null, context.Quick ? 20_000 : 100_000, MemoryOfferedRate);
        }

        if (context.Wants("orders.memory.resting"))
        {
            await RunScenarioAsync(context, "orders.memory.resting", null, context.Quick ? 10_000 : 40_000, offeredRate: null, RestingOrdersPerAccount);
        }

        if (!context.Wants("orders.sqlite") && !context.Wants("orders.sqlite.latency"))
        {
            return;
        }

        var dir = Path.Combine(Path.GetTempPath(), "ot-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            await RunScenarioAsync(context, "orders.sqlite", dir, context.Quick ? 5_000 : 20_000, SqliteOfferedRate);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private async Task RunScenarioAsync(
        BenchmarkContext context, string scenario, string? sqliteDirectory, int orders, int? offeredRate, int restingPerAccount = 0)
    {
        await using var cluster = await TradingBenchCluster.StartAsync(sqliteDirectory, configure: configureSilo);
        var client = cluster.Client;
        var limitsOfRun = new RunLimits(_fillWait, cluster.ServiceProvider.GetRequiredService<IOptions<SiloOptions>>().Value.ResponseTimeout);
        var now = TimeProvider.System.GetUtcNow();
        foreach (var symbol in Symbols)
        {
            await client.GetGrain<ISymbolGrain>(symbol).IngestAsync(new TickBatch { Quotes = [new QuoteTick(symbol, now, 100m, 1_000_000_000m, 100m, 1_000_000_000m)] });
        }

        var limits = RiskLimits.Default with
        {
            MaxOrderNotional = 1_000_000m, MaxPositionNotional = 1_000_000_000m, MaxPositionPercentOfEquity = 1_000m,
            MaxOpenOrders = 10_000, MaxSubmitsPerWindow = 1_000_000, MaxQuoteAge = TimeSpan.FromHours(1),
        };
        var waiting = new ConcurrentDictionary<string, TaskCompletionSource>(StringComparer.Ordinal);
        var memory = client.GetStreamProvider(StreamNames.MemoryProvider);
        for (var a = 0; a < Accounts; a++)
        {
            var id = $"bench-{a}";
            await client.GetGrain<IAccountGrain>(id).OpenAsync(new OpenAccount { Cash = 1_000_000_000m, RiskLimits = limits });
            await memory.GetStream<AccountEvent>(StreamId.Create(StreamNames.AccountEvents, id)).SubscribeAsync((e, _) =>
            {
                if (e.Kind == AccountEventKind.Fill && waiting.TryRemove(e.Fill!.ClientOrderId, out var fill))
                {
                    fill.TrySetResult();
                }

                return Task.CompletedTask;
            });
        }

        var warmup = context.Quick ? 20 : 50;
        var warmupTally = await RunOrdersAsync(client, waiting, "w", warmup, null, limitsOfRun);
        if (!warmupTally.Complete)
        {
            // Orders denied or missing here would be missing in the measured runs too, which would then time fewer orders: the
            // scenarios say so and the next ones run.
            var missing = await DescribeMissingAsync(client, warmupTally, limitsOfRun);
            string[] names = offeredRate is null ? [scenario] : [scenario, scenario + ".latency"];
            foreach (var name in names.Where(context.Wants))
            {
                context.Report(new Dictionary<string, object?>
                {
                    ["scenario"] = name,
                    ["complete"] = false,
                    ["error"] = $"the warm-up did not complete: {warmupTally.FilledCount} of {warmupTally.Total} orders filled",
                    ["missing"] = missing,
                });
            }

            return;
        }

        await PlaceRestingOrdersAsync(client, restingPerAccount);

        if (context.Wants(scenario))
        {
            await RunClosedLoopAsync(context, scenario, cluster.ServiceProvider, client, waiting, orders, warmup, restingPerAccount, limitsOfRun);
        }

        if (offeredRate is { } rate && context.Wants(scenario + ".latency"))
        {
            await RunOpenLoopAsync(context, scenario + ".latency", client, waiting, rate, TimeSpan.FromSeconds(context.Quick ? 4 : 10), limitsOfRun);
        }
    }

    private static async Task RunClosedLoopAsync(
        BenchmarkContext context,
        string scenario,
        IServiceProvider silo,
        IClusterClient client,
        ConcurrentDictionary<string, TaskCompletionSource> waiting,
        int orders,
        int warmup,
        int restingPerAccount,
        RunLimits limits)
    {
        var perAccount = orders / Accounts;
        var latencies = new ConcurrentBag<long>();
        var heapBefore = LiveHeapBytes();
        using var promotions = new GcPromotionListener();
        var promotedBefore = await promotions.SettledAsync();
        var collections = GcCounts.Now();
        var pause = GC.GetTotalPauseDuration();
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        using var sqlite = new SqliteWriterReader(silo);
        var clock = Stopwatch.StartNew();
        var tally = await RunOrdersAsync(client, waiting, "m", perAccount, latencies, limits);
        clock.Stop();
        var filled = tally.FilledCount;
        allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated;
        pause = GC.GetTotalPauseDuration() - pause;
        var promoted = (await promotions.SettledAsync()).Since(promotedBefore);
        var heapAfter = LiveHeapBytes();
        var samples = latencies.ToList();
        var report = new Dictionary<string, object?>
        {
            ["scenario"] = scenario,
            ["accounts"] = Accounts,
            ["outstanding_per_account"] = 1,
            ["resting_orders_per_account"] = restingPerAccount,
            ["warmup_orders"] = warmup * Accounts,
            ["orders"] = perAccount * Accounts,
            ["denied"] = tally.DeniedCount,
            ["fills"] = filled,

            // False when any order was denied or is missing: orders_per_sec would then be a rate over fewer orders than "orders".
            ["complete"] = tally.Complete,
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2),
            ["orders_per_sec"] = Math.Round(filled / clock.Elapsed.TotalSeconds),
            ["p50_us"] = Percentiles.Microseconds(samples, 0.50),
            ["p99_us"] = Percentiles.Microseconds(samples, 0.99),
            ["alloc_bytes_per_op"] = filled == 0 ? null : allocated / filled,

            // The soak figure: the live heap before and after the measured orders. With memory storage it includes the
            // stored records themselves (the "database"), so it grows by what an order stores.
            ["heap_start_mb"] = heapBefore / (1024 * 1024),
            ["heap_end_mb"] = heapAfter / (1024 * 1024),
            ["heap_growth_bytes_per_order"] = filled == 0 ? null : (heapAfter - heapBefore) / filled,

            // What the collections copied because it was still alive (see GcPromotionListener): what sets their pauses.
            ["gen0_promoted_bytes_per_order"] = filled == 0 ? null : promoted.Gen0Bytes / filled,
            ["gen1_promoted_bytes_per_order"] = filled == 0 ? null : promoted.Gen1Bytes / filled,
            ["gc_pause_ms"] = Math.Round(pause.TotalMilliseconds),
            ["gc_collections"] = GcCounts.Now().Since(collections),
        };
        if (!tally.Complete)
        {
            report["missing"] = await DescribeMissingAsync(client, tally, limits);
        }

        if (sqlite.Writes > 0 && sqlite.Commits > 0 && filled > 0)
        {
            // SQLite's writers (one group commit per file), from their metrics: writes per order and per commit over both files,
            // and per file the share of the run its writer spent running groups (near 1: that writer is the bottleneck).
            report["sqlite_writes_per_order"] = Math.Round(sqlite.Writes / filled, 2);
            report["sqlite_writes_per_commit"] = Math.Round(sqlite.Writes / sqlite.Commits, 1);
            report["sqlite_writer_busy"] = new[] { SqliteDataFiles.StateFileName, SqliteDataFiles.StreamLogFileName }.ToDictionary(
                file => file, file => Math.Round(sqlite.BusySeconds(file) / clock.Elapsed.TotalSeconds, 2));
        }

        context.Report(report);
    }

    /// <summary>
    /// Offers <paramref name="rate"/> orders/s for <paramref name="duration"/>, round-robin over the accounts, each sent at
    /// its scheduled time; the latency of an order runs from that time to its fill on the account. Ends by the last order's
    /// time plus the response timeout and the fill wait, whatever became of the orders.
    /// </summary>
    private static async Task RunOpenLoopAsync(
        BenchmarkContext context,
        string scenario,
        IClusterClient client,
        ConcurrentDictionary<string, TaskCompletionSource> waiting,
        int rate,
        TimeSpan duration,
        RunLimits limits)
    {
        var accounts = Enumerable.Range(0, Accounts).Select(a => client.GetGrain<IAccountGrain>($"bench-{a}")).ToArray();
        var total = (int)(rate * duration.TotalSeconds);
        var outcomes = new OpenLoopOutcomes(total);
        var tally = new OrderTally(total);
        using var promotions = new GcPromotionListener();
        var promotedBefore = await promotions.SettledAsync();
        var collections = GcCounts.Now();
        var pause = GC.GetTotalPauseDuration();
        var start = Stopwatch.GetTimestamp();
        var ticksPerOrder = (double)Stopwatch.Frequency / rate;

        // On the monotonic clock, which a stall (a suspended process, a long collection) does not skip.
        var deadline = start + (long)((duration + limits.PerOrder).TotalSeconds * Stopwatch.Frequency);

        // The sender has a thread of its own and sleeps until the next order is due. Awaiting Task.Delay(1) took about
        // 3.6 ms on the project's 2-core machine, so orders left up to that late and the driver's timer counted as latency
        // of the system; a Thread.Yield loop instead took a core from the system (see PreciseSleep).
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sender = new Thread(() =>
        {
            var sent = 0;
            while (sent < total && Stopwatch.GetTimestamp() < deadline)
            {
                // Send everything due by now (a late driver catches up at once, keeping each order's scheduled time).
                var due = Math.Min(total, (int)((Stopwatch.GetTimestamp() - start) / ticksPerOrder) + 1);
                for (; sent < due; sent++)
                {
                    var scheduled = start + (long)(sent * ticksPerOrder);
                    var clientOrderId = $"o{sent}";
                    var fill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    waiting[clientOrderId] = fill;
                    _ = PlaceAndAwaitFillAsync(accounts[sent % Accounts], clientOrderId, Symbols[sent % Symbols.Length], fill, scheduled, waiting, outcomes, tally, sent, limits);
                }

                PreciseSleep.For(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), start + (long)(sent * ticksPerOrder)));
            }

            sending.SetResult();
        })
        { IsBackground = true, Name = "open-loop sender" };
        sender.Start();
        await sending.Task;

        try
        {
            // Each order ends on its own within the response timeout and the fill wait; this bounds the run even when a call
            // never answers.
            await outcomes.AllDone.WaitAsync(TimeUntil(deadline));
        }
        catch (TimeoutException) when (!outcomes.AllDone.IsCompleted)
        {
            // The orders without an outcome count as unanswered (or not sent) in the tally.
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        pause = GC.GetTotalPauseDuration() - pause;
        var promoted = (await promotions.SettledAsync()).Since(promotedBefore);
        var samples = outcomes.Latencies.Where(l => l > 0).ToList();
        var report = new Dictionary<string, object?>
        {
            ["scenario"] = scenario,
            ["accounts"] = Accounts,
            ["offered_per_sec"] = rate,
            ["orders"] = total,
            ["denied"] = tally.DeniedCount,
            ["fills"] = samples.Count,
            ["complete"] = tally.Complete,
            ["achieved_per_sec"] = Math.Round(samples.Count / elapsed.TotalSeconds),
            ["p50_us"] = Percentiles.Microseconds(samples, 0.50),
            ["p99_us"] = Percentiles.Microseconds(samples, 0.99),
            ["p999_us"] = Percentiles.Microseconds(samples, 0.999),
            ["max_us"] = Percentiles.Microseconds(samples, 1.0),
            ["gen0_promoted_bytes_per_order"] = samples.Count == 0 ? null : promoted.Gen0Bytes / samples.Count,
            ["gen1_promoted_bytes_per_order"] = samples.Count == 0 ? null : promoted.Gen1Bytes / samples.Count,
            ["gc_pause_ms"] = Math.Round(pause.TotalMilliseconds),
            ["gc_collections"] = GcCounts.Now().Since(collections),
        };
        if (!tally.Complete)
        {
            report["missing"] = await DescribeMissingAsync(client, tally, limits);
        }

        context.Report(report);
    }

    /// <summary>
    /// Records in <paramref name="outcomes"/> the latency in Stopwatch ticks from the scheduled time to the fill, and in
    /// <paramref name="tally"/> what became of the order. Only the number is kept: keeping every order's task to the end
    /// kept its state machine on the heap for the whole run, heap the collector copied as if the system kept it.
    /// </summary>
    private static async Task PlaceAndAwaitFillAsync(
        IAccountGrain account, string clientOrderId, string symbol, TaskCompletionSource fill, long scheduled, ConcurrentDictionary<string, TaskCompletionSource> waiting,
        OpenLoopOutcomes outcomes, OrderTally tally, int index, RunLimits limits)
    {
        var accountIndex = index % Accounts;
        if (await PlaceAsync(account, clientOrderId, symbol, waiting, tally, accountIndex) == Placement.Placed
            && await AwaitFillAsync(fill, clientOrderId, waiting, tally, accountIndex, limits))
        {
            outcomes.Filled(index, Stopwatch.GetTimestamp() - scheduled);
        }

        outcomes.Ended();
    }

    /// <summary>The open loop's latencies, one slot per order (0 for an order not filled), and when the last order has ended.</summary>
    private sealed class OpenLoopOutcomes(int total)
    {
        private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining = total;

        public long[] Latencies { get; } = new long[total];

        public Task AllDone => _allDone.Task;

        public void Filled(int index, long latency) => Latencies[index] = latency;

        public void Ended()
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _allDone.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Gives every account <paramref name="perAccount"/> buy limits 5% below the market (GTC): they never fill, so every
    /// write of the account's core record carries them, as an account with resting orders (a grid, a market maker) does.
    /// </summary>
    private static async Task PlaceRestingOrdersAsync(IClusterClient client, int perAccount)
    {
        await Task.WhenAll(Enumerable.Range(0, Accounts).Select(async a =>
        {
            var account = client.GetGrain<IAccountGrain>($"bench-{a}");
            for (var i = 0; i < perAccount; i++)
            {
                var placed = await account.PlaceOrderAsync(new PlaceOrder
                {
                    Request = new OrderRequest
                    {
                        ClientOrderId = $"rest{a}-{i}", Symbol = Symbols[i % Symbols.Length], Side = OrderSide.Buy, Type = OrderType.Limit,
                        Quantity = 1m, LimitPrice = 95m, TimeInForce = TimeInForce.Gtc,
                    },
                });
                if (!placed.Succeeded)
                {
                    throw new InvalidOperationException($"A resting order was denied: {placed.Denial?.Message}");
                }
            }
        }));
    }

    private static PlaceOrder MarketBuy(string clientOrderId, string symbol) => new()
    {
        Request = new OrderRequest
        {
            ClientOrderId = clientOrderId, Symbol = symbol, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 1m,
        },
    };

    /// <summary>
    /// Live bytes after a full collection. The ban on forcing collections is for the product; a soak figure needs a settled
    /// heap, not whatever garbage the last collection happened to leave.
    /// </summary>
    private static long LiveHeapBytes() => GC.GetTotalMemory(forceFullCollection: true);

    /// <summary>
    /// Every account places <paramref name="perAccount"/> market buys, one at a time, each awaited to its fill. An account
    /// stops at its first missing order (its next order would wait for that fill), and every account stops sending once the
    /// run has used its <see cref="ClosedLoopOrderAllowance"/> per order, so the run ends within that and one order's wait.
    /// </summary>
    private static async Task<OrderTally> RunOrdersAsync(
        IClusterClient client, ConcurrentDictionary<string, TaskCompletionSource> waiting, string prefix, int perAccount, ConcurrentBag<long>? latencies,
        RunLimits limits)
    {
        var tally = new OrderTally(perAccount * Accounts);
        var sendUntil = Stopwatch.GetTimestamp() + (long)((perAccount * ClosedLoopOrderAllowance).TotalSeconds * Stopwatch.Frequency);
        var accounts = Task.WhenAll(Enumerable.Range(0, Accounts).Select(a => Task.Run(async () =>
        {
            var account = client.GetGrain<IAccountGrain>($"bench-{a}");
            for (var i = 0; i < perAccount && Stopwatch.GetTimestamp() < sendUntil; i++)
            {
                var clientOrderId = $"{prefix}{a}-{i}";
                var fill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiting[clientOrderId] = fill;
                var t0 = Stopwatch.GetTimestamp();
                var placement = await PlaceAsync(account, clientOrderId, Symbols[i % Symbols.Length], waiting, tally, a);
                if (placement == Placement.Denied)
                {
                    continue;
                }

                if (placement == Placement.Failed || !await AwaitFillAsync(fill, clientOrderId, waiting, tally, a, limits))
                {
                    break;
                }

                latencies?.Add(Stopwatch.GetTimestamp() - t0);
            }
        })));
        try
        {
            // Each order ends on its own within the response timeout and the fill wait; this bounds the run even when a call
            // never answers.
            await accounts.WaitAsync(TimeUntil(sendUntil) + limits.PerOrder);
        }
        catch (TimeoutException) when (!accounts.IsCompleted)
        {
            // The orders without an outcome count as unanswered in the tally.
        }

        return tally;
    }

    /// <summary>Places a market buy and tallies a denial or a failed call (a response timeout under load: outcome unknown).</summary>
    private static async Task<Placement> PlaceAsync(
        IAccountGrain account, string clientOrderId, string symbol, ConcurrentDictionary<string, TaskCompletionSource> waiting, OrderTally tally, int accountIndex)
    {
        tally.Sent();
        OrderCommandResult result;
        try
        {
            result = await account.PlaceOrderAsync(MarketBuy(clientOrderId, symbol));
        }
        catch (Exception ex)
        {
            waiting.TryRemove(clientOrderId, out _);
            tally.PlacementFailed(accountIndex, clientOrderId, ex);
            return Placement.Failed;
        }

        if (!result.Succeeded)
        {
            waiting.TryRemove(clientOrderId, out _);
            tally.Denied();
            return Placement.Denied;
        }

        return Placement.Placed;
    }

    /// <summary>Waits for a placed order's Fill event, at most the fill wait; false (tallied as unfilled) when it did not come.</summary>
    private static async Task<bool> AwaitFillAsync(
        TaskCompletionSource fill, string clientOrderId, ConcurrentDictionary<string, TaskCompletionSource> waiting, OrderTally tally, int accountIndex, RunLimits limits)
    {
        try
        {
            await fill.Task.WaitAsync(limits.FillWait);
        }
        catch (TimeoutException)
        {
            waiting.TryRemove(clientOrderId, out _);
            tally.Unfilled(accountIndex, clientOrderId, limits.FillWait);
            return false;
        }

        tally.Filled();
        return true;
    }

    /// <summary>The time left until a Stopwatch timestamp; zero once it has passed.</summary>
    private static TimeSpan TimeUntil(long timestamp)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>
    /// What is missing, for the line: the counts, the first failed call's error, and the first few missing orders, each with
    /// what its account holds for it (no such order, in flight, accepted, or filled with its Fill event not seen).
    /// </summary>
    private static async Task<Dictionary<string, object?>> DescribeMissingAsync(IClusterClient client, OrderTally tally, RunLimits limits)
    {
        var named = await Task.WhenAll(tally.Named.Select(async missing =>
        {
            var accountId = $"bench-{missing.AccountIndex}";
            string held;
            try
            {
                var order = await client.GetGrain<IAccountGrain>(accountId).GetOrderByClientOrderIdAsync(missing.ClientOrderId).WaitAsync(limits.ResponseTimeout);
                held = order is null
                    ? "the account holds no such order"
                    : string.Create(CultureInfo.InvariantCulture,
                        $"the account holds it {order.Status}, {order.FilledQuantity} of {order.Quantity} filled{(order.InFlight ? ", in flight" : "")}");
            }
            catch (Exception ex)
            {
                held = $"the account did not answer ({ex.GetType().Name})";
            }

            return $"{missing.ClientOrderId} at {accountId}: {missing.Problem}; {held}";
        }));
        return new Dictionary<string, object?>
        {
            ["placement_failures"] = tally.PlacementFailures,
            ["unfilled"] = tally.UnfilledCount,
            ["unanswered"] = tally.Unanswered,
            ["not_sent"] = tally.NotSent,
            ["first_error"] = tally.FirstError,
            ["orders"] = named,
        };
    }

    private enum Placement
    {
        Placed,
        Denied,
        Failed,
    }

    /// <summary>How long the driver waits for a placed order's fill, and the silo's response timeout (the most a call takes).</summary>
    private readonly record struct RunLimits(TimeSpan FillWait, TimeSpan ResponseTimeout)
    {
        /// <summary>The longest an order takes once sent: its call, then the wait for its fill.</summary>
        public TimeSpan PerOrder => ResponseTimeout + FillWait;
    }

    /// <summary>A missing order the line names: its account (by index), its client order id and what went wrong.</summary>
    private readonly record struct MissingOrder(int AccountIndex, string ClientOrderId, string Problem);

    /// <summary>
    /// What became of a run's orders: filled, denied, or missing (the call failed, the fill was not seen in time, the call
    /// had not answered when the run ended, or the order was never sent), with the first few missing ones named.
    /// </summary>
    private sealed class OrderTally(int total)
    {
        private readonly ConcurrentQueue<MissingOrder> _named = new();
        private int _sent;
        private int _filled;
        private int _denied;
        private int _placementFailures;
        private int _unfilled;
        private string? _firstError;

        public int Total => total;

        public int FilledCount => Volatile.Read(ref _filled);

        public int DeniedCount => Volatile.Read(ref _denied);

        public int PlacementFailures => Volatile.Read(ref _placementFailures);

        public int UnfilledCount => Volatile.Read(ref _unfilled);

        /// <summary>Orders sent whose call had not answered when the run ended.</summary>
        public int Unanswered => Volatile.Read(ref _sent) - FilledCount - DeniedCount - PlacementFailures - UnfilledCount;

        /// <summary>Orders never sent: their account had stopped at a missing order, or the run had used its time.</summary>
        public int NotSent => total - Volatile.Read(ref _sent);

        public bool Complete => FilledCount == total;

        public string? FirstError => Volatile.Read(ref _firstError);

        public IEnumerable<MissingOrder> Named => _named;

        public void Sent() => Interlocked.Increment(ref _sent);

        public void Filled() => Interlocked.Increment(ref _filled);

        public void Denied() => Interlocked.Increment(ref _denied);

        public void PlacementFailed(int accountIndex, string clientOrderId, Exception error)
        {
            Interlocked.Increment(ref _placementFailures);
            Interlocked.CompareExchange(ref _firstError, $"{error.GetType().Name}: {error.Message}", null);
            Name(new MissingOrder(accountIndex, clientOrderId, "PlaceOrderAsync failed"));
        }

        public void Unfilled(int accountIndex, string clientOrderId, TimeSpan waited)
        {
            Interlocked.Increment(ref _unfilled);
            Name(new MissingOrder(accountIndex, clientOrderId, string.Create(CultureInfo.InvariantCulture, $"placed, no Fill event in {waited.TotalSeconds} s")));
        }

        private void Name(MissingOrder order)
        {
            // Racing callers may name one or two more than the bound: a handful either way.
            if (_named.Count < MissingOrdersNamed)
            {
                _named.Enqueue(order);
            }
        }
    }

    /// <summary>The SQLite group commit's metrics over one measured run (all zero on memory storage).</summary>
    private sealed class SqliteWriterReader(IServiceProvider silo) : IDisposable
    {
        private readonly InstrumentReader _writes = new(silo, "orleanstrader.sqlite.writes");
        private readonly InstrumentReader _commits = new(silo, "orleanstrader.sqlite.commits");
        private readonly InstrumentReader _groups = new(silo, "orleanstrader.sqlite.group.duration");

        public double Writes => _writes.Total();

        public double Commits => _commits.Total();

        /// <summary>The time one file's writer spent running groups.</summary>
        public double BusySeconds(string file) => _groups.Sum($"file={file},table_prefix=");

        public void Dispose()
        {
            _writes.Dispose();
            _commits.Dispose();
            _groups.Dispose();
        }
    }

    /// <summary>Collections per generation (a gen1 collection also counts as gen0, as GC.CollectionCount does).</summary>
    private readonly record struct GcCounts(int Gen0, int Gen1, int Gen2)
    {
        public static GcCounts Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

        public string Since(GcCounts before) => $"{Gen0 - before.Gen0}/{Gen1 - before.Gen1}/{Gen2 - before.Gen2}";
    }
}
