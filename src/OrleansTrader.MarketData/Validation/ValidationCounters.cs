namespace OrleansTrader.MarketData.Validation;

/// <summary>What a validator has seen so far: every tick is either accepted or rejected with one reason.</summary>
public sealed record ValidationCounters(
    long Accepted,
    IReadOnlyDictionary<RejectionReason, long> RejectedByReason,
    long Reanchors)
{
    public long Rejected => RejectedByReason.Values.Sum();

    public long Total => Accepted + Rejected;
}
