using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>One order state change (append-only), with the risk decision that admitted or denied it.</summary>
public sealed record JournalEntry
{
    public required long Sequence { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required string OrderId { get; init; }

    public required string ClientOrderId { get; init; }

    public required string Symbol { get; init; }

    public OrderStatus? From { get; init; }

    public required OrderStatus To { get; init; }

    /// <summary>What happened: submitted, denied, replace-denied (order unchanged), accepted, filled, canceled, replaced, rejected, in-flight, reconciled...</summary>
    public required string Action { get; init; }

    public string? RiskReasonCode { get; init; }

    public string? Detail { get; init; }
}
