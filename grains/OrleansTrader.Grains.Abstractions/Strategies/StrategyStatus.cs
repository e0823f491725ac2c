namespace OrleansTrader.Grains.Abstractions;

/// <summary>A strategy's configuration and what it has done so far.</summary>
public sealed record StrategyStatus
{
    public required string AccountId { get; init; }

    public required string StrategyId { get; init; }

    public required string Kind { get; init; }

    public required IReadOnlyList<string> Symbols { get; init; }

    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    public required TimeSpan BarInterval { get; init; }

    public required bool Running { get; init; }

    public required long BarsSeen { get; init; }

    public required long TicksSeen { get; init; }

    public required long IntentsSent { get; init; }

    public required long IntentsDenied { get; init; }

    /// <summary>Intents withheld locally because the account's trading state did not allow them.</summary>
    public required long IntentsSuppressed { get; init; }

    public string? LastError { get; init; }

    /// <summary>The history the strategy was primed with at its last fresh start; null when it had none to ask for.</summary>
    public StrategyWarmUp? WarmUp { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}
