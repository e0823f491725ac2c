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
    public FeeModelSpec FeeModel { get; init; } = FeeModelSpec.Default;

    public RiskLimits RiskLimits { get; init; } = RiskLimits.Default;

    public BreakerPolicy BreakerPolicy { get; init; } = BreakerPolicy.Default;
}
