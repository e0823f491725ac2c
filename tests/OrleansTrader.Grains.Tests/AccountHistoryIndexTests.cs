using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The history's indexes across sealed pages: a sealed page keeps its keys in one compact array, and evicting it must
/// free exactly the keys no newer page or working order still needs.
/// </summary>
public sealed class AccountHistoryIndexTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public void SealedPage_KeepsEachKindOfKey_AndEvictionFreesOnlyItsOwn()
    {
        var history = new AccountHistory();
        history.StartTail(0);
        Filled(history, "O1", "c1", "x1", sequence: 1);
        history.SealTail(pagesInMemory: 1);
        Filled(history, "O2", "c2", "x2", sequence: 2);
        history.SealTail(pagesInMemory: 1);

        var first = history.Pages[0];
        Assert.Equal(["c1"], first.ClientOrderIds.ToArray());
        Assert.Equal(["x1"], first.ExecutionIds.ToArray());
        Assert.Equal(["O1"], first.ClosedOrderIds.ToArray());
        Assert.Equal(1, history.PagesOnlyInStorage);

        history.EvictOldest(new Dictionary<string, WorkingOrder>());

        Assert.False(history.TryGetOrderId("c1", out _));
        Assert.False(history.HasExecution("x1"));
        Assert.False(history.IsClosed("O1"));
        Assert.True(history.TryGetOrderId("c2", out var kept));
        Assert.Equal("O2", kept);
        Assert.True(history.HasExecution("x2"));
        Assert.True(history.IsClosed("O2"));
        Assert.NotNull(history.ClosedInMemory("O2"));
    }

    [Fact]
    public void SealedPage_WithoutKeys_AndAKeyRepeatedInANewerPage_StayIndexed()
    {
        var history = new AccountHistory();
        history.StartTail(0);
        history.Add(Journal("O1", "c1", sequence: 1, OrderStatus.PendingNew));
        history.SealTail(pagesInMemory: 4);
        history.Add(Event(2, breaker: true));
        history.SealTail(pagesInMemory: 4);
        history.Add(Journal("O1", "c1", sequence: 3, OrderStatus.Accepted));
        history.SealTail(pagesInMemory: 4);

        Assert.True(history.Pages[1].ClientOrderIds.IsEmpty);
        Assert.True(history.Pages[1].ExecutionIds.IsEmpty);
        Assert.True(history.Pages[1].ClosedOrderIds.IsEmpty);

        // The first page's client order id is named again by the third page: evicting the first two keeps it.
        history.EvictOldest(new Dictionary<string, WorkingOrder>());
        history.EvictOldest(new Dictionary<string, WorkingOrder>());
        Assert.True(history.TryGetOrderId("c1", out var orderId));
        Assert.Equal("O1", orderId);
    }

    [Fact]
    public void ExecutionsKeptForAWorkingOrderPastTheirPage_LeaveTheIndex_WithTheLaterPageOnceTheOrderEnded()
    {
        // Each order is partly filled on a page that leaves the retention while the order still works (its execution stays
        // indexed), then ends on the next page, which leaves the retention too: no execution of it may stay indexed.
        const int orders = 50;
        var history = new AccountHistory();
        history.StartTail(0);
        var working = new Dictionary<string, WorkingOrder>(StringComparer.Ordinal);
        for (var i = 0; i < orders; i++)
        {
            var (orderId, clientOrderId) = ("O" + i, "c" + i);
            history.Add(Journal(orderId, clientOrderId, sequence: 2 * i + 1, OrderStatus.PartiallyFilled));
            history.Add(Fill(orderId, clientOrderId, orderId + "-x1", sequence: 2 * i + 1));
            working[orderId] = Working(orderId, clientOrderId, orderId + "-x1");
            history.SealTail(pagesInMemory: 1);
            history.EvictOldest(working);
            Assert.True(history.HasExecution(orderId + "-x1"));

            Filled(history, orderId, clientOrderId, orderId + "-x2", sequence: 2 * i + 2);
            working.Remove(orderId);
            history.SealTail(pagesInMemory: 1);
            history.EvictOldest(working);
        }

        Assert.Empty(history.Pages);
        Assert.Equal(0, history.ExecutionCount);
        Assert.False(history.HasExecution("O0-x1"));
    }

    [Fact]
    public void ExecutionsIndexedForAWorkingOrderAtLoad_LeaveTheIndex_WithTheLaterPageOnceTheOrderEnded()
    {
        // At load a working order's executions older than the retention are indexed for it (IndexWorking); once it ends
        // and the pages after have left the retention, none of them may stay.
        const int orders = 50;
        var history = new AccountHistory();
        history.StartTail(7);
        for (var i = 0; i < orders; i++)
        {
            history.IndexWorking(Working("O" + i, "c" + i, "O" + i + "-x1").Order);
        }

        for (var i = 0; i < orders; i++)
        {
            Assert.True(history.HasExecution("O" + i + "-x1"));
            Filled(history, "O" + i, "c" + i, "O" + i + "-x2", sequence: i + 1);
            history.SealTail(pagesInMemory: 1);
        }

        while (history.Pages.Count > 0)
        {
            history.EvictOldest(new Dictionary<string, WorkingOrder>());
        }

        Assert.Equal(0, history.ExecutionCount);
        Assert.False(history.TryGetOrderId("c0", out _));
    }

    private static WorkingOrder Working(string orderId, string clientOrderId, string executionId) => new()
    {
        Origin = "test",
        Order = Order.Create(orderId, Market.MarketOrder(clientOrderId, "IDX", OrderSide.Buy, 2m).Request!, T0) with
        {
            ExecutionIds = [executionId],
        },
    };

    private static AccountFill Fill(string orderId, string clientOrderId, string executionId, long sequence) => new()
    {
        Sequence = sequence,
        ExecutionId = executionId,
        OrderId = orderId,
        ClientOrderId = clientOrderId,
        Symbol = "IDX",
        Side = OrderSide.Buy,
        Quantity = 1m,
        Price = 10m,
        Fee = 0m,
        RealizedPnl = 0m,
        Timestamp = T0,
    };

    private static void Filled(AccountHistory history, string orderId, string clientOrderId, string executionId, long sequence)
    {
        history.Add(Journal(orderId, clientOrderId, sequence, OrderStatus.Filled));
        history.Add(Fill(orderId, clientOrderId, executionId, sequence));
        history.Add(Event(sequence, breaker: false) with
        {
            Order = new AccountOrder
            {
                OrderId = orderId,
                ClientOrderId = clientOrderId,
                Symbol = "IDX",
                Side = OrderSide.Buy,
                Type = OrderType.Market,
                TimeInForce = TimeInForce.Day,
                Quantity = 1m,
                Status = OrderStatus.Filled,
                Origin = "test",
                CreatedAt = T0,
                UpdatedAt = T0,
            },
        });
    }

    private static JournalEntry Journal(string orderId, string clientOrderId, long sequence, OrderStatus to) => new()
    {
        Sequence = sequence,
        Timestamp = T0,
        OrderId = orderId,
        ClientOrderId = clientOrderId,
        Symbol = "IDX",
        To = to,
        Action = "test",
    };

    private static AccountEvent Event(long sequence, bool breaker) => new()
    {
        Sequence = sequence,
        AccountId = "index",
        Timestamp = T0,
        Kind = breaker ? AccountEventKind.BreakerChanged : AccountEventKind.OrderUpdated,
    };
}
