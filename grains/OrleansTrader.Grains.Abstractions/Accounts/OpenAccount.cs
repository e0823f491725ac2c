using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>Opens an account with its starting cash and its rules. Broker is "paper" or "alpaca".</summary>
public sealed record OpenAccount
{
    public required decimal Cash { get; init; }

    public string Currency { get; init; } = "USD";

    public AccountType AccountType { get; init; } = AccountType.Cash;

    public FeeModelSpec FeeModel { get; init; } = FeeModelSpec.Default;

    public RiskLimits RiskLimits { get; init; } = RiskLimits.Default;

    public BreakerPolicy BreakerPolicy { get; init; } = BreakerPolicy.Default;

    public string Broker { get; init; } = BrokerNames.Paper;

    /// <summary>A display name (free text, not an identifier).</summary>
    public string? Name { get; init; }
}
