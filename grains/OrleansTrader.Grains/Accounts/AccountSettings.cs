using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Risk;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// The account's settings, stored as their own "settings" record of the account grain: they change rarely (open, new
/// risk limits), so the core record written on every order does not carry them.
/// </summary>
internal sealed record AccountSettings
{
    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public FeeModelSpec FeeModel { get; init => field = value ?? FeeModelSpec.Default; } = FeeModelSpec.Default;

    public RiskLimits RiskLimits { get; init => field = value ?? RiskLimits.Default; } = RiskLimits.Default;

    public BreakerPolicy BreakerPolicy { get; init => field = value ?? BreakerPolicy.Default; } = BreakerPolicy.Default;
}
