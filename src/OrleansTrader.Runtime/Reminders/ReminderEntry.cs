namespace OrleansTrader.Runtime;

/// <summary>One durable reminder row: fires first at <see cref="StartAt"/>, then every <see cref="Period"/>.</summary>
public sealed record ReminderEntry
{
    public required GrainId GrainId { get; init; }

    public required string ReminderName { get; init; }

    public required DateTimeOffset StartAt { get; init; }

    public required TimeSpan Period { get; init; }

    /// <summary>The stored version; null for an entry not yet written.</summary>
    public string? ETag { get; init; }
}
