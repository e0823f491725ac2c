namespace OrleansTrader.Grains.Abstractions;

/// <summary>A webhook to create: where to POST, and which kinds of events (all when empty).</summary>
public sealed record CreateWebhook
{
    /// <summary>An absolute http or https URL, without user name or password.</summary>
    public required string Url { get; init; }

    /// <summary>The kinds delivered; empty for every kind.</summary>
    public IReadOnlyList<AccountEventKind> Kinds { get; init; } = [];

    public string? Description { get; init; }
}
