using System.ComponentModel;

namespace OrleansTrader.Gateway.Contracts;

public sealed record CreateStrategyRequest
{
    public string? StrategyId { get; init; }

    /// <summary>"sma-crossover", "rsi-mean-reversion" or "bollinger-breakout".</summary>
    [RequiredField]
    public string? Kind { get; init; }

    [RequiredField]
    public IReadOnlyList<string>? Symbols { get; init; }

    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    [Description("\"1m\" (default) or \"1s\" bars; exactly so written.")]
    [AcceptedValues("1s", "1m")]
    public string? BarInterval { get; init; }

    public bool? Start { get; init; }
}
