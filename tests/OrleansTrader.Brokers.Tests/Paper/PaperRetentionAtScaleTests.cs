using OrleansTrader.Brokers.Paper;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// A long run at the default bounds: what the venue holds in memory is counted (orders and executions in its live state),
/// and what left it is still answered from the archive.
/// </summary>
public sealed class PaperRetentionAtScaleTests
{
    private const int Orders = 100_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// 100,000 market orders filled over about 2.8 hours (one every 100 ms): the venue never holds more than the default
    /// MaxRetainedOrders (10,000) orders, nor more executions; the first order, one from the middle and the first order's
    /// client order id are still found (filled), and the fills since the start are all 100,000, once each, in order.
    /// Reconciliation asks exactly these: an order or fill answered "not found" after it left memory trips REDUCING.
    /// </summary>
    [Fact]
    public async Task HundredThousandFilledOrders_StayWithinMaxRetainedOrdersInMemory_AndAreAllStillAnswered()
    {
        var store = new LatestSaveStore();
        await using var venue = await StartAsync(store: store, collect: false);
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 1_000_000_000m);
        var orderIds = new List<string>(Orders);
        var (mostOrders, mostExecutions) = (0, 0);
        for (var i = 0; i < Orders; i++)
        {
            venue.Time.Advance(TimeSpan.FromMilliseconds(100));
            orderIds.Add((await venue.SubmitAsync(Request($"scale-{i}", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc))).OrderId);
            if (i % 1_000 == 999)
            {
                var held = store.Latest!();
                (mostOrders, mostExecutions) = (Math.Max(mostOrders, held.Orders.Count), Math.Max(mostExecutions, held.Executions.Count));
            }
        }

        Assert.InRange(mostOrders, PaperExchangeOptions.DefaultMaxRetainedOrders / 2, PaperExchangeOptions.DefaultMaxRetainedOrders);
        Assert.InRange(mostExecutions, 1, PaperExchangeOptions.DefaultMaxRetainedOrders);
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(orderIds[0])).Status);
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(orderIds[Orders / 2])).Status);
        Assert.Equal(orderIds[0], (await venue.Client.GetOrderByClientOrderIdAsync("scale-0", Ct))!.OrderId);
        var fills = await venue.Client.GetExecutionsSinceAsync(Start, Ct);
        Assert.Equal(orderIds, fills.Select(e => e.OrderId));
        Assert.Equal(Orders, fills.Select(e => e.ExecutionId).Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(await venue.Client.ListOpenOrdersAsync(Ct));
    }

    /// <summary>Keeps the archive, but only the last save's state builder: building the whole state at every save would cost the run minutes.</summary>
    private sealed class LatestSaveStore() : DelegatingPaperVenueStore(new InMemoryPaperVenueStore())
    {
        public Func<PaperVenueSnapshot>? Latest { get; private set; }

        public override Task SaveAsync(string accountId, PaperVenueChange? change, Func<PaperVenueSnapshot> snapshot, CancellationToken cancellationToken)
        {
            Latest = snapshot;
            return Task.CompletedTask;
        }
    }
}
