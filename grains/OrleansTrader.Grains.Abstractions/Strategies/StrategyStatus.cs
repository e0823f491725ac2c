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

    /// <summary>Intents sent for less than asked while REDUCING: a reversal cut down to the part that closes the position.</summary>
    public long IntentsCutToClose { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    /// <summary>
    /// The strategy's own positions, from its own fills (the account may hold more), valued like the account's: at the
    /// symbol's last trade, else its quote mid. A position closed since keeps its realized P&amp;L and fees here.
    /// </summary>
    public IReadOnlyList<AccountPosition> Positions { get; init => field = value ?? []; } = [];

    /// <summary>Realized P&amp;L of the strategy's own fills, before fees.</summary>
    public decimal RealizedPnl { get; init; }

    public decimal FeesPaid { get; init; }

    /// <summary>Of its open positions; null while one of them has no price.</summary>
    public decimal? UnrealizedPnl { get; init; }

    public string? LastError { get; init; }

    /// <summary>The history the strategy was primed with at its last fresh start; null when it had none to ask for.</summary>
    public StrategyWarmUp? WarmUp { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}
