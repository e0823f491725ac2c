using OrleansTrader.Domain.Market;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// The venue's market for one symbol: the standing quote (with the displayed size fills have already taken) and
/// the trading halt. <see cref="Gate"/> serializes matching in the symbol across accounts; it is always taken
/// before an account's gate.
/// </summary>
internal sealed class SymbolBook
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public QuoteTick? Quote { get; set; }

    public string? HaltReason { get; set; }
}
