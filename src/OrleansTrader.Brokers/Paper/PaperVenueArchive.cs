using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>Final orders and executions leaving the venue's memory after the retention window; the store keeps them.</summary>
public sealed record PaperVenueArchive
{
    public IReadOnlyList<PaperOrderRecord> Orders { get; init; } = [];

    public IReadOnlyList<Execution> Executions { get; init; } = [];
}
