namespace OrleansTrader.Grains.Abstractions;

/// <summary>The latest bars of one symbol that a warm-up or a backtest used, and where they came from.</summary>
public sealed record SymbolBars
{
    public required string Symbol { get; init; }

    public required int Bars { get; init; }

    /// <summary>"alpaca" (the vendor's history of the feed), "silo" (the bars the symbol grain holds) or "none".</summary>
    public required string Source { get; init; }

    public DateTimeOffset? FirstBarStart { get; init; }

    public DateTimeOffset? LastBarEnd { get; init; }

    /// <summary>Why a source was passed over (it failed or timed out), when one was.</summary>
    public string? Problem { get; init; }
}
