using OrleansTrader.Brokers.Paper;

namespace OrleansTrader.Grains.Paper;

/// <summary>One numbered venue save as the store writes it into its ring of delta records.</summary>
internal sealed record PaperVenueDelta
{
    public required long Number { get; init; }

    public required PaperVenueChange Change { get; init; }
}
