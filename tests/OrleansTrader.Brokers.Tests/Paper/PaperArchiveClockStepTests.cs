using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// The venue's archive passes (<c>PaperExchange:Retention</c>) under a wall clock stepped by NTP, an operator or a resumed
/// host: the passes fall due on elapsed time, and the retention cutoff, which compares the orders' wall stamps, follows the
/// clock but moves forward no faster than twice the elapsed time, so a step forward does not empty memory at once.
/// </summary>
public sealed class PaperArchiveClockStepTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The next pass was due at a wall time: set back a day, the clock left no pass to run for a day, and an order filled
    /// after the step and older than the hour's retention by the clock's own reading stayed in memory all that day.
    /// </summary>
    [Fact]
    public async Task ArchivePasses_GoOnEveryTenthOfTheRetention_WhenTheWallClockIsSetBackADay()
    {
        await using var venue = await StartAsync(o => o.Retention = TimeSpan.FromHours(1));
        await venue.QuoteAsync(99.90m, 100.00m);
        await FilledAsync(venue, "before");

        venue.Time.Step(-TimeSpan.FromDays(1));
        await venue.QuoteAsync(99.90m, 100.00m);
        var after = await FilledAsync(venue, "after");
        venue.Time.Advance(TimeSpan.FromHours(2));
        await venue.SubmitAsync(Request("fresh", OrderSide.Buy, OrderType.Limit, 5m, limit: 90m, tif: TimeInForce.Gtc));

        // The clock reads two hours past the fill of "after": it leaves memory (and stays findable in the archive).
        Assert.DoesNotContain(after, await InMemoryAsync(venue));
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(after)).Status);
    }

    /// <summary>
    /// The cutoff was the clock less the retention: stepped a day forward, it passed every final order at once, and the
    /// whole window left memory in one write although none of its orders was older than the retention.
    /// </summary>
    [Fact]
    public async Task FinalOrdersYoungerThanTheRetention_StayInMemory_WhenTheWallClockStepsADayForward()
    {
        await using var venue = await StartAsync(o => o.Retention = TimeSpan.FromHours(1));
        await venue.QuoteAsync(99.90m, 100.00m);
        var first = await FilledAsync(venue, "first");
        venue.Time.Advance(TimeSpan.FromMinutes(30));
        var second = await FilledAsync(venue, "second");

        venue.Time.Step(TimeSpan.FromDays(1));
        venue.Time.Advance(TimeSpan.FromMinutes(10));
        await venue.QuoteAsync(99.90m, 100.00m);
        var third = await FilledAsync(venue, "third");

        Assert.Equal([first, second, third], await InMemoryAsync(venue));

        // Once the first order is past the hour in elapsed time it leaves, as without the step; the step's day drains
        // over as long again, the third order (stamped a day ahead) staying meanwhile.
        venue.Time.Advance(TimeSpan.FromMinutes(25));
        await venue.SubmitAsync(Request("fresh", OrderSide.Buy, OrderType.Limit, 5m, limit: 90m, tif: TimeInForce.Gtc));
        var kept = await InMemoryAsync(venue);
        Assert.DoesNotContain(first, kept);
        Assert.Contains(third, kept);
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(first)).Status);
    }

    private static async Task<string> FilledAsync(PaperHarness venue, string clientOrderId)
    {
        var order = await venue.SubmitAsync(Request(clientOrderId, OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc));
        await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill);
        return order.OrderId;
    }

    /// <summary>The final orders the venue keeps in memory (its live snapshot), in arrival order.</summary>
    private static async Task<List<string>> InMemoryAsync(PaperHarness venue) =>
        [.. (await venue.Store.LoadAsync(AccountId, Ct))!.Orders.Where(r => r.Order.Status.IsFinal()).Select(r => r.Order.OrderId)];
}
