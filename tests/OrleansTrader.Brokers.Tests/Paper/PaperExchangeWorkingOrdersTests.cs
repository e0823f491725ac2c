using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// The venue walks only the orders that are not final when it matches, expires and lists open orders (an index kept
/// beside the retained history): these check that index against every order's own status, through each kind of change
/// and a restart.
/// </summary>
public sealed class PaperExchangeWorkingOrdersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenOrdersAndMatching_FollowFillsCancelsReplacesAndBrackets_AlsoAfterARestart()
    {
        var store = new InMemoryPaperVenueStore();
        var time = new ManualTimeProvider(Start);
        var ids = new List<string>();
        string resting;
        await using (var venue = await StartAsync(store: store, time: time))
        {
            await venue.QuoteAsync(99.90m, 100.00m);
            for (var i = 0; i < 20; i++)
            {
                var filled = await venue.SubmitAsync(Request($"hist{i}", OrderSide.Buy, OrderType.Market, 1m));
                await venue.WaitForAsync(filled.OrderId, ExecutionReportKind.Fill);
                ids.Add(filled.OrderId);
            }

            resting = (await venue.SubmitAsync(Request("rest", OrderSide.Buy, OrderType.Limit, 5m, limit: 99.00m, tif: TimeInForce.Gtc))).OrderId;
            var canceled = await venue.SubmitAsync(Request("cancel-me", OrderSide.Buy, OrderType.Limit, 5m, limit: 98.00m, tif: TimeInForce.Gtc));
            await venue.Client.CancelOrderAsync(canceled.OrderId, Ct);
            var replaced = await venue.SubmitAsync(Request("replace-me", OrderSide.Buy, OrderType.Limit, 5m, limit: 97.00m, tif: TimeInForce.Gtc));
            var replacement = await venue.Client.ReplaceOrderAsync(replaced.OrderId, new OrderReplacement { LimitPrice = 97.50m }, Ct);
            var bracket = await venue.SubmitAsync(Request("bracket", OrderSide.Buy, OrderType.Limit, 5m, limit: 95.00m, tif: TimeInForce.Gtc) with
            {
                OrderClass = OrderClass.Bracket,
                TakeProfit = new ExitLeg(LimitPrice: 105.00m),
                StopLoss = new ExitLeg(StopPrice: 90.00m),
            });
            ids.AddRange([resting, canceled.OrderId, replaced.OrderId, replacement.OrderId, bracket.OrderId, .. bracket.Legs.Select(l => l.OrderId)]);

            var open = await OpenIdsAsync(venue);
            Assert.Equal(await WorkingIdsAsync(venue, ids), open);
            Assert.Equal(5, open.Count); // the resting limit, the replacement, the bracket's entry and its two held exits
        }

        await using var restarted = await StartAsync(store: store, time: time);
        Assert.Equal(await WorkingIdsAsync(restarted, ids), await OpenIdsAsync(restarted));

        // The resting limit, behind twenty filled orders and restored from the store, still matches when the market reaches it.
        await restarted.QuoteAsync(98.90m, 99.00m);
        await restarted.WaitForAsync(resting, ExecutionReportKind.Fill);
        Assert.Equal(OrderStatus.Filled, (await restarted.OrderAsync(resting)).Status);
        var after = await OpenIdsAsync(restarted);
        Assert.DoesNotContain(resting, after);
        Assert.Equal(await WorkingIdsAsync(restarted, ids), after);
    }

    private static async Task<SortedSet<string>> OpenIdsAsync(PaperHarness venue) =>
        new((await venue.Client.ListOpenOrdersAsync(Ct)).Select(o => o.OrderId), StringComparer.Ordinal);

    private static async Task<SortedSet<string>> WorkingIdsAsync(PaperHarness venue, IEnumerable<string> ids)
    {
        var working = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if ((await venue.OrderAsync(id)).Status.IsWorking())
            {
                working.Add(id);
            }
        }

        return working;
    }
}
