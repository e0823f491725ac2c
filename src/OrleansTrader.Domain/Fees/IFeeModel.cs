namespace OrleansTrader.Domain.Fees;

/// <summary>Prices an execution. Implementations are pure and deterministic.</summary>
public interface IFeeModel
{
    FeeBreakdown Calculate(FeeInput input);
}
