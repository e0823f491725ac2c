namespace OrleansTrader.Grains.Abstractions;

/// <summary>Why an order command was refused: a risk reason code (RiskReasonCodes) or an account error code, and for
/// size-related denials the largest quantity that would have passed.</summary>
public sealed record OrderDenial(string ReasonCode, string Message, decimal? MaxQuantity = null);
