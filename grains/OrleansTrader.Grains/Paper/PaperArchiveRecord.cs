using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Paper;

/// <summary>The archive as one record per account, as written before archive chunks: read on the first archive query, never written.</summary>
internal sealed record PaperArchiveRecord
{
    public IReadOnlyList<PaperOrderRecord> Orders { get; init; } = [];

    public IReadOnlyList<Execution> Executions { get; init; } = [];
}
