using OrleansTrader.Domain.Calendar;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Trades;
using OrleansTrader.Runtime;
using static OrleansTrader.Grains.Tests.Infrastructure.NumberedTrades;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Only the newest pages of trades are kept. A client paging back with <c>before</c> must learn from the page that ends
/// its walk whether older trades are gone: a cursor into the trades no longer kept answered an empty page that read as
/// "no older trades", and so did the last kept page, shorter than the limit.
/// </summary>
public sealed class TradeHistoryTruncationTests
{
    private const int PagesKept = 2;
    private static readonly GrainId Owner = GrainId.Create("Tests.Trades", "truncated");

    [Fact]
    public async Task APageThatEndsTheKeptTrades_SaysOlderOnesAreGone_AndAFullOrAWholeListDoesNot()
    {
        // 250 trades, all closed at the same instant: pages 0 to 2, of which the newest two (trades 101 to 250) are kept.
        // The walk pages by number, so the tie neither drops nor repeats any of them.
        var book = await BookAsync(250);

        var walked = new List<long>();
        TradeHistory page;
        long? before = null;
        do
        {
            page = await book.Book.QueryAsync(book.State, new TradeQuery { Limit = 40, Before = before }, "truncated", null);
            walked.AddRange(page.Trades.Select(t => t.Number));
            Assert.Equal(page.Trades.Count < 40, page.Truncated);
            before = page.Trades.Count > 0 ? page.Trades[^1].Number : before;
        }
        while (page.Trades.Count == 40);

        Assert.Equal(Enumerable.Range(101, 150).Reverse().Select(n => (long)n), walked);

        // A cursor on the oldest kept trade, or on one no longer kept, is told the same, not given a bare empty page.
        var atTheOldest = await book.Book.QueryAsync(book.State, new TradeQuery { Limit = 10, Before = 101 }, "truncated", null);
        var intoTheGone = await book.Book.QueryAsync(book.State, new TradeQuery { Limit = 10, Before = 50 }, "truncated", null);
        Assert.Equal((0, true), (atTheOldest.Trades.Count, atTheOldest.Truncated));
        Assert.Equal((0, true), (intoTheGone.Trades.Count, intoTheGone.Truncated));

        // A full page does not end the list: it says nothing is gone.
        Assert.False((await book.Book.QueryAsync(book.State, new TradeQuery { Limit = 10, Before = 150 }, "truncated", null)).Truncated);
    }

    [Fact]
    public async Task TheEndOfAListWhoseFirstTradeIsKept_IsNotTruncated()
    {
        var book = await BookAsync(150);

        var last = await book.Book.QueryAsync(book.State, new TradeQuery { Limit = 10, Before = 5 }, "untruncated", null);
        var beforeTheFirst = await book.Book.QueryAsync(book.State, new TradeQuery { Limit = 10, Before = 1 }, "untruncated", null);
        var none = await new TradeBook(new MemoryGrainStorage(), Owner, PagesKept, numbersRestart: false, AlwaysOpenCalendar.Instance)
            .QueryAsync(new TradeState(), new TradeQuery(), "untruncated", null);

        Assert.Equal([4L, 3L, 2L, 1L], last.Trades.Select(t => t.Number));
        Assert.False(last.Truncated);
        Assert.Equal((0, false), (beforeTheFirst.Trades.Count, beforeTheFirst.Truncated));
        Assert.Equal((0, false), (none.Trades.Count, none.Truncated));
    }

    /// <summary>A book whose owner closed trades 1 to <paramref name="count"/>, stored as the owner stores them.</summary>
    private static async Task<(TradeBook Book, TradeState State)> BookAsync(int count)
    {
        var storage = new MemoryGrainStorage();
        var writer = new TradesStore(storage, Owner, PagesKept, numbersRestart: false);
        for (var number = 1; number <= count; number++)
        {
            await writer.StoreAsync([Trade(number)]);
        }

        return (new TradeBook(storage, Owner, PagesKept, numbersRestart: false, AlwaysOpenCalendar.Instance), new TradeState { LastNumber = count });
    }
}
