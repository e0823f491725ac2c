using System.Globalization;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>Numbered orders and executions for the paper venue store's tests: step N is order "oN" (client id "cN"), fill "eN".</summary>
internal static class PaperStoreTestRecords
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    /// <summary>A working buy limit of <paramref name="quantity"/> AAPL at 100, placed at step seconds after <see cref="Start"/>.</summary>
    public static PaperOrderRecord Order(int step, long sequence, decimal quantity)
    {
        var request = new OrderRequest
        {
            ClientOrderId = "c" + Number(step),
            Symbol = "AAPL",
            Side = OrderSide.Buy,
            Type = OrderType.Limit,
            Quantity = quantity,
            LimitPrice = 100m,
        };
        return new PaperOrderRecord
        {
            Order = Domain.Orders.Order.Create("o" + Number(step), request, Start.AddSeconds(step)),
            Matching = new SimulatedOrder { Side = OrderSide.Buy, Type = OrderType.Limit, LeavesQuantity = quantity, LimitPrice = 100m },
            Sequence = sequence,
        };
    }

    /// <summary>A fill of 1 share of step's order at 100 + step.</summary>
    public static Execution Execution(int step) => new()
    {
        ExecutionId = "e" + Number(step),
        OrderId = "o" + Number(step),
        ClientOrderId = "c" + Number(step),
        Symbol = "AAPL",
        Side = OrderSide.Buy,
        Quantity = 1m,
        Price = 100m + step,
        Timestamp = Start.AddSeconds(step),
    };

    private static string Number(int step) => step.ToString(CultureInfo.InvariantCulture);
}
