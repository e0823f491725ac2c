namespace OrleansTrader.Domain.Fills;

public enum FillOutcome
{
    /// <summary>Nothing happens now; the order keeps working.</summary>
    NoFill,
    Fill,

    /// <summary>The order ends now (IOC remainder, FOK not fillable, auction missed) after filling <see cref="FillDecision.Quantity"/>, possibly zero.</summary>
    Cancel,

    /// <summary>A DAY order reached its session close.</summary>
    Expire,
}
