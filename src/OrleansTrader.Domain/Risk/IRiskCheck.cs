namespace OrleansTrader.Domain.Risk;

/// <summary>One pre-trade rule. Returns null to pass or a denial. A check that throws denies the order.</summary>
public interface IRiskCheck
{
    RiskDecision? Check(RiskContext context);
}
