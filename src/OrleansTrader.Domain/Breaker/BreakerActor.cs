namespace OrleansTrader.Domain.Breaker;

/// <summary>Who caused a transition: a user (with or without the risk role) or the system itself.</summary>
public sealed record BreakerActor(string Name, bool HasRiskRole)
{
    public static BreakerActor System { get; } = new("system", HasRiskRole: false);
}
