namespace OrleansTrader.MarketData.Validation;

public readonly record struct ValidationResult(RejectionReason Reason, string? Detail = null)
{
    public static ValidationResult Accepted => default;

    public bool IsAccepted => Reason == RejectionReason.None;
}
