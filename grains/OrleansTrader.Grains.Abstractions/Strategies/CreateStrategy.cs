namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// A strategy to create: a domain kind ("sma-crossover", "rsi-mean-reversion", "bollinger-breakout"), its symbols and its
/// parameters as text (parsed and validated by the domain catalog; the symbol parameter is taken from <see cref="Symbols"/>).
/// </summary>
public sealed record CreateStrategy
{
    public required string Kind { get; init; }

    public required IReadOnlyList<string> Symbols { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public IReadOnlyDictionary<string, string> Parameters { get; init => field = value ?? new Dictionary<string, string>(); } = new Dictionary<string, string>();

    /// <summary>The bars the strategy runs on: one minute ("bars") or one second ("bars-1s").</summary>
    public TimeSpan BarInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Start at once after creation.</summary>
    public bool Start { get; init; }
}
