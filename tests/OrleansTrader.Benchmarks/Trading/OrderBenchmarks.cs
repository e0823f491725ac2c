using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansTrader.Benchmarks.Runtime;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Benchmarks.Trading;

/// <summary>
/// orders.memory and orders.sqlite: market orders from 100 accounts on liquid symbols; orders/s and the latency from
/// PlaceOrderAsync to the fill applied on the account (seen as the account's Fill event).
/// </summary>
internal sealed class OrderBenchmarks : IBenchmarkSuite
{
    private const int Accounts = 100;
    private static readonly string[] Symbols = ["SPY", "AAPL", "MSFT", "BAC", "IBM"];

    public string Name => "orders";

    public async Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await RunScenarioAsync(context, "orders.memory", null, context.Quick ? 10_000 : 50_000);
        var dir = Path.Combine(Path.GetTempPath(), "ot-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            await RunScenarioAsync(context, "orders.sqlite", Path.Combine(dir, "orders.db"), context.Quick ? 2_000 : 10_000);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task RunScenarioAsync(BenchmarkContext context, string scenario, string? sqlitePath, int orders)
    {
        await using var cluster = await TradingBenchCluster.StartAsync(sqlitePath);
        var client = cluster.Client;
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
        var started = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var latencies = new ConcurrentBag<long>();
        var filled = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var memory = client.GetStreamProvider(StreamNames.MemoryProvider);
        for (var a = 0; a < Accounts; a++)
        {
            var id = $"bench-{a}";
            await client.GetGrain<IAccountGrain>(id).OpenAsync(new OpenAccount { Cash = 1_000_000_000m, RiskLimits = limits });
            await memory.GetStream<AccountEvent>(StreamId.Create(StreamNames.AccountEvents, id)).SubscribeAsync((e, _) =>
            {
                if (e.Kind == AccountEventKind.Fill && started.TryRemove(e.Fill!.ClientOrderId, out var t0))
                {
                    latencies.Add(Stopwatch.GetTimestamp() - t0);
                    if (Interlocked.Increment(ref filled) == orders)
                    {
                        done.TrySetResult();
                    }
                }

                return Task.CompletedTask;
            });
        }

        var perAccount = orders / Accounts;
        var denied = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Accounts).Select(a => Task.Run(async () =>
        {
            var account = client.GetGrain<IAccountGrain>($"bench-{a}");
            for (var i = 0; i < perAccount; i++)
            {
                var clientOrderId = $"b{a}-{i}";
                started[clientOrderId] = Stopwatch.GetTimestamp();
                var result = await account.PlaceOrderAsync(new PlaceOrder
                {
                    Request = new OrderRequest
                    {
                        ClientOrderId = clientOrderId, Symbol = Symbols[i % Symbols.Length], Side = OrderSide.Buy,
                        Type = OrderType.Market, Quantity = 1m,
                    },
                });
                if (!result.Succeeded)
                {
                    started.TryRemove(clientOrderId, out _);
                    Interlocked.Increment(ref denied);
                }
            }
        })));
        var expected = orders - denied;
        if (Volatile.Read(ref filled) < expected)
        {
            await Task.WhenAny(done.Task, WaitForAsync(() => Volatile.Read(ref filled) >= expected), Task.Delay(TimeSpan.FromSeconds(60)));
        }

        clock.Stop();
        var samples = latencies.ToList();
        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = scenario,
            ["accounts"] = Accounts,
            ["orders"] = orders,
            ["denied"] = denied,
            ["fills"] = Volatile.Read(ref filled),
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2),
            ["orders_per_sec"] = Math.Round(Volatile.Read(ref filled) / clock.Elapsed.TotalSeconds),
            ["p50_us"] = Percentiles.Microseconds(samples, 0.50),
            ["p99_us"] = Percentiles.Microseconds(samples, 0.99),
        });
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(10);
        }
    }
}
