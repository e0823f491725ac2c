namespace OrleansTrader.Grains.Paper;

/// <summary>The accounts the paper venue has stored (so it can reload them at start).</summary>
internal sealed record PaperVenueIndex
{
    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public IReadOnlyList<string> Accounts { get; init => field = value ?? []; } = [];
}
