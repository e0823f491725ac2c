using System.Text.Json.Serialization;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// An <see cref="Execution"/> as the store writes it: the client order id, symbol and side are left out when the
/// execution's order is written in the same record, since they are the order's.
/// </summary>
internal sealed record PaperStoredExecution
{
    public required string ExecutionId { get; init; }

    public required string OrderId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ClientOrderId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Symbol { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OrderSide? Side { get; init; }

    public required decimal Quantity { get; init; }

    public required decimal Price { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public decimal Fee { get; init; }

    public required Liquidity Liquidity { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The stored form; <paramref name="withOrder"/> says the order is in the same record.</summary>
    public static PaperStoredExecution From(Execution execution, bool withOrder) => new()
    {
        ExecutionId = execution.ExecutionId,
        OrderId = execution.OrderId,
        ClientOrderId = withOrder ? null : execution.ClientOrderId,
        Symbol = withOrder ? null : execution.Symbol,
        Side = withOrder ? null : execution.Side,
        Quantity = execution.Quantity,
        Price = execution.Price,
        Fee = execution.Fee,
        Liquidity = execution.Liquidity,
        Timestamp = execution.Timestamp,
    };

    /// <summary>The execution; <paramref name="order"/> is its order from the same record, when the fields were left out.</summary>
    public Execution ToExecution(PaperStoredOrder? order) => new()
    {
        ExecutionId = ExecutionId,
        OrderId = OrderId,
        ClientOrderId = ClientOrderId ?? order?.ClientOrderId ?? throw Missing(),
        Symbol = Symbol ?? order?.Symbol ?? throw Missing(),
        Side = Side ?? order?.Side ?? throw Missing(),
        Quantity = Quantity,
        Price = Price,
        Fee = Fee,
        Liquidity = Liquidity,
        Timestamp = Timestamp,
    };

    private InvalidOperationException Missing() =>
        new($"Stored execution {ExecutionId} names order {OrderId}, which is not in the same record.");
}
