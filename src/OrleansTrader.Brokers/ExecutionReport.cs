using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers;

/// <summary>One event on an order. <see cref="Execution"/> is set exactly for PartialFill and Fill.</summary>
public sealed record ExecutionReport(
    ExecutionReportKind Kind,
    BrokerOrder Order,
    DateTimeOffset Timestamp,
    Execution? Execution = null,
    string? Reason = null);
