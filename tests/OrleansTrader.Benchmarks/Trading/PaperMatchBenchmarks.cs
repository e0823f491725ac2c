using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Benchmarks.Trading;

/// <summary>
/// paper.match: market updates through the paper venue for one account that holds one resting limit order (it never
/// fills), once with no other orders and once after it has filled <see cref="RetainedOrders"/> market orders, which the
/// venue keeps in memory for its retention window. The ratio of the two rates shows what the retained history costs a
/// market update; a venue whose matching looked only at working orders has a ratio near 1.
/// </summary>
internal sealed class PaperMatchBenchmarks : IBenchmarkSuite
{
    private const string AccountId = "bench";
    private const string Symbol = "SPY";

    // The venue's default cap on the orders one account keeps in memory (PaperExchangeOptions.MaxRetainedOrders).
    private const int RetainedOrders = PaperExchangeOptions.DefaultMaxRetainedOrders - 1;

    public string Name => "paper";

    public IReadOnlyList<string> Scenarios { get; } = ["paper.match"];

    public async Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Wants("paper.match"))
        {
            return;
        }

        var updates = context.Quick ? 20_000 : 100_000;
        // A warm-up pair first: the first runs compile and tier up the paths the measured pair takes.
        await MeasureAsync(retained: 0, updates);
        await MeasureAsync(RetainedOrders, updates);
        var fresh = await MeasureAsync(retained: 0, updates);
        var loaded = await MeasureAsync(RetainedOrders, updates);
        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = "paper.match",
            ["updates"] = updates,
            ["retained_orders"] = RetainedOrders,
            ["updates_per_sec_no_history"] = Math.Round(fresh),
            ["updates_per_sec_with_history"] = Math.Round(loaded),
            ["ratio"] = Math.Round(loaded / fresh, 3),
        });
    }

    /// <summary>Market updates per second once the account has filled <paramref name="retained"/> orders and rests one limit.</summary>
    private static async Task<double> MeasureAsync(int retained, int updates)
    {
        var options = new PaperExchangeOptions { Calendar = PaperCalendarKind.AlwaysOpen };
        await using var exchange = new PaperExchange(Options.Create(options), new InMemoryPaperVenueStore(), TimeProvider.System, NullLogger<PaperExchange>.Instance);
        await exchange.StartAsync(CancellationToken.None);
        var client = exchange.GetClient(AccountId);
        await QuoteAsync(exchange, 100m);
        for (var i = 0; i < retained; i++)
        {
            // The submit answers the acceptance; the fill is in the venue's state by the time the submit returns.
            var submitted = await client.SubmitOrderAsync(Request($"f{i}", OrderType.Market, null));
            if (await client.GetOrderAsync(submitted.OrderId) is not { Status: OrderStatus.Filled })
            {
                throw new InvalidOperationException($"History order {submitted.OrderId} did not fill.");
            }
        }

        var resting = await client.SubmitOrderAsync(Request("rest", OrderType.Limit, 90m));
        if (resting.Status != OrderStatus.Accepted)
        {
            throw new InvalidOperationException($"The resting order is {resting.Status}, not Accepted.");
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < updates; i++)
        {
            // Around 100, never down to the limit at 90: the resting order is evaluated on every update and never fills.
            await QuoteAsync(exchange, 100m + (i % 10) / 100m);
        }

        clock.Stop();
        return updates / clock.Elapsed.TotalSeconds;
    }

    private static Task QuoteAsync(PaperExchange exchange, decimal bid) =>
        exchange.UpdateQuoteAsync(new QuoteTick(Symbol, TimeProvider.System.GetUtcNow(), bid, 1_000_000m, bid + 0.01m, 1_000_000m));

    private static OrderRequest Request(string clientOrderId, OrderType type, decimal? limit) => new()
    {
        ClientOrderId = clientOrderId, Symbol = Symbol, Side = OrderSide.Buy, Type = type, Quantity = 1m, LimitPrice = limit,
        TimeInForce = type == OrderType.Market ? TimeInForce.Day : TimeInForce.Gtc,
    };
}
