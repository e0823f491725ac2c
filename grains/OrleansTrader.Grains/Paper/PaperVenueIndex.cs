namespace OrleansTrader.Grains.Paper;

/// <summary>The accounts the paper venue has stored (so it can reload them at start).</summary>
internal sealed record PaperVenueIndex
{
    public IReadOnlyList<string> Accounts { get; init; } = [];
}
