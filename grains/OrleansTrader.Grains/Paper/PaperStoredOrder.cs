using System.Text.Json.Serialization;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// A <see cref="PaperOrderRecord"/> as the store writes it in deltas and archive chunks: the order's own fields once
/// (no repeated request-derived values), absent values left out, and the matching state only when it differs from
/// what <see cref="SimulatedOrder.From"/> rebuilds (a market order that filled at once needs none) and the order can
/// still match (a final order has none).
/// </summary>
internal sealed record PaperStoredOrder
{
    public required string OrderId { get; init; }

    public required string ClientOrderId { get; init; }

    public required string Symbol { get; init; }

    public required OrderSide Side { get; init; }

    public required OrderType Type { get; init; }

    public required decimal Quantity { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? LimitPrice { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? StopPrice { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? TrailPrice { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? TrailPercent { get; init; }

    public required TimeInForce TimeInForce { get; init; }

    public required OrderClass OrderClass { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ExitLeg? TakeProfit { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ExitLeg? StopLoss { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ExtendedHours { get; init; }

    public required OrderStatus Status { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public decimal FilledQuantity { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? AverageFillPrice { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Null when equal to <see cref="CreatedAt"/> (an order accepted and filled in one step).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ExpiresAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ParentOrderId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReplacesOrderId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReplacedByOrderId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StatusReason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ExecutionIds { get; init; }

    /// <summary>Null when it equals <see cref="SimulatedOrder.From"/> of the order.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SimulatedOrder? Matching { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Held { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? GroupId { get; init; }

    public required long Sequence { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FeeModelSpec? FeeModel { get; init; }

    public static PaperStoredOrder From(PaperOrderRecord record)
    {
        var order = record.Order;
        var request = order.Request;
        return new PaperStoredOrder
        {
            OrderId = order.OrderId,
            ClientOrderId = request.ClientOrderId,
            Symbol = request.Symbol,
            Side = request.Side,
            Type = request.Type,
            Quantity = request.Quantity,
            LimitPrice = request.LimitPrice,
            StopPrice = request.StopPrice,
            TrailPrice = request.TrailPrice,
            TrailPercent = request.TrailPercent,
            TimeInForce = request.TimeInForce,
            OrderClass = request.OrderClass,
            TakeProfit = request.TakeProfit,
            StopLoss = request.StopLoss,
            ExtendedHours = request.ExtendedHours,
            Status = order.Status,
            FilledQuantity = order.FilledQuantity,
            AverageFillPrice = order.AverageFillPrice,
            CreatedAt = order.CreatedAt,
            UpdatedAt = order.UpdatedAt == order.CreatedAt ? null : order.UpdatedAt,
            ExpiresAt = order.ExpiresAt,
            ParentOrderId = order.ParentOrderId,
            ReplacesOrderId = order.ReplacesOrderId,
            ReplacedByOrderId = order.ReplacedByOrderId,
            StatusReason = order.StatusReason,
            ExecutionIds = order.ExecutionIds.IsEmpty ? null : [.. order.ExecutionIds],
            Matching = record.Matching is not { } matching || matching.IsFreshFrom(order) ? null : matching,
            Held = record.Held,
            GroupId = record.GroupId,
            Sequence = record.Sequence,
            FeeModel = record.FeeModel,
        };
    }

    public PaperOrderRecord ToRecord()
    {
        var order = new Order
        {
            OrderId = OrderId,
            Request = new OrderRequest
            {
                ClientOrderId = ClientOrderId,
                Symbol = Symbol,
                Side = Side,
                Type = Type,
                Quantity = Quantity,
                LimitPrice = LimitPrice,
                StopPrice = StopPrice,
                TrailPrice = TrailPrice,
                TrailPercent = TrailPercent,
                TimeInForce = TimeInForce,
                OrderClass = OrderClass,
                TakeProfit = TakeProfit,
                StopLoss = StopLoss,
                ExtendedHours = ExtendedHours,
            },
            Status = Status,
            FilledQuantity = FilledQuantity,
            AverageFillPrice = AverageFillPrice,
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt ?? CreatedAt,
            ExpiresAt = ExpiresAt,
            ParentOrderId = ParentOrderId,
            ReplacesOrderId = ReplacesOrderId,
            ReplacedByOrderId = ReplacedByOrderId,
            StatusReason = StatusReason,
            ExecutionIds = ExecutionIds is null ? [] : [.. ExecutionIds],
        };
        return new PaperOrderRecord
        {
            Order = order,
            // A final order keeps no matching state; earlier builds wrote one for some final orders, which is dropped.
            Matching = order.Status.IsFinal() ? null : Matching ?? SimulatedOrder.From(order),
            Held = Held,
            GroupId = GroupId,
            Sequence = Sequence,
            FeeModel = FeeModel,
        };
    }
}
