using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Paper;

/// <summary>Final orders and executions the paper venue moved out of its working snapshot.</summary>
internal sealed record PaperArchiveRecord
{
    public IReadOnlyList<PaperOrderRecord> Orders { get; init; } = [];

    public IReadOnlyList<Execution> Executions { get; init; } = [];
}
