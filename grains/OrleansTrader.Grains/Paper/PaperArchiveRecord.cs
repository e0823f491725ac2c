using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Paper;

/// <summary>The archive as one record per account, as written before archive chunks: read on the first archive query, never written.</summary>
internal sealed record PaperArchiveRecord
{
    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public IReadOnlyList<PaperOrderRecord> Orders { get; init => field = value ?? []; } = [];

    public IReadOnlyList<Execution> Executions { get; init => field = value ?? []; } = [];
}
