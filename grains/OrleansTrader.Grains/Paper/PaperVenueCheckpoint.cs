using OrleansTrader.Brokers.Paper;

namespace OrleansTrader.Grains.Paper;

/// <summary>A full venue snapshot of one account that includes every <see cref="PaperVenueDelta"/> up to <see cref="Through"/>.</summary>
internal sealed record PaperVenueCheckpoint
{
    public PaperVenueSnapshot Snapshot { get; init; } = new();

    public long Through { get; init; }
}
