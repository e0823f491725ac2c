namespace OrleansTrader.Domain.Fills;

/// <summary>How optimistic the simulated exchange is.</summary>
public sealed record FillModelOptions
{
    public static FillModelOptions Default { get; } = new();

    /// <summary>Adverse slippage applied to marketable fills at the touch, in basis points.</summary>
    public decimal SlippageBps { get; init; }

    /// <summary>Cap fills at the touch by the displayed size of the quote.</summary>
    public bool LimitByDisplayedSize { get; init; } = true;

    /// <summary>When set (0-1], every fill is also capped by this fraction of the size of the trade being evaluated; with no trade, nothing fills.</summary>
    public decimal? ParticipationRate { get; init; }

    /// <summary>Fill quantities round down to this increment (1 for whole shares).</summary>
    public decimal QuantityIncrement { get; init; } = 1m;
}
