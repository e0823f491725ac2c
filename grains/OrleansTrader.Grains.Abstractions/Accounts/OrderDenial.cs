namespace OrleansTrader.Grains.Abstractions;

/// <summary>Why an order command was refused: a risk reason code (RiskReasonCodes) or an account error code, for
/// size-related denials the largest quantity that would have passed, and for QUANTITY_INVALID and ORDER_INVALID the
/// order rules that failed (OrderErrorCodes).</summary>
public sealed record OrderDenial(string ReasonCode, string Message, decimal? MaxQuantity = null, IReadOnlyList<string>? Causes = null);
