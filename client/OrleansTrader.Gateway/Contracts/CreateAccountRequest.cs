using System.ComponentModel;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>POST /api/accounts. Broker credentials and trading mode are not settable here: broker is "paper" (or "alpaca"
/// where the silo configured Alpaca), and nothing else about the broker is accepted.</summary>
public sealed record CreateAccountRequest
{
    public string? AccountId { get; init; }

    [RequiredField]
    public string? Name { get; init; }

    [RequiredField]
    public decimal? InitialCash { get; init; }

    [Description("\"USD\" (default), the only currency; exactly so written.")]
    [AcceptedValues("USD")]
    public string? Currency { get; init; }

    [Description("\"paper\" (default), or \"alpaca\" where the host allows Alpaca accounts (400 otherwise); exactly so written.")]
    [AcceptedValues(BrokerNames.Paper, BrokerNames.Alpaca)]
    public string? Broker { get; init; }

    public FeeModelRequest? FeeModel { get; init; }

    /// <summary>"cash" (default) or "margin".</summary>
    [AcceptedValues(typeof(AccountType))]
    public string? MarginType { get; init; }

    public RiskLimitsRequest? RiskLimits { get; init; }

    public BreakerPolicyRequest? BreakerPolicy { get; init; }
}
