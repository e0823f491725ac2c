using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>Opens an account with its starting cash and its rules. Broker is "paper" or "alpaca".</summary>
public sealed record OpenAccount
{
    public required decimal Cash { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public string Currency { get; init => field = value ?? "USD"; } = "USD";

    public AccountType AccountType { get; init; } = AccountType.Cash;

    public FeeModelSpec FeeModel { get; init => field = value ?? FeeModelSpec.Default; } = FeeModelSpec.Default;

    public RiskLimits RiskLimits { get; init => field = value ?? RiskLimits.Default; } = RiskLimits.Default;

    public BreakerPolicy BreakerPolicy { get; init => field = value ?? BreakerPolicy.Default; } = BreakerPolicy.Default;

    public string Broker { get; init => field = value ?? BrokerNames.Paper; } = BrokerNames.Paper;

    /// <summary>A display name (free text, not an identifier).</summary>
    public string? Name { get; init; }
}
