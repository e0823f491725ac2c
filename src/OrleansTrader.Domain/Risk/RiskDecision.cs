namespace OrleansTrader.Domain.Risk;

/// <summary>
/// The verdict. On approval, <see cref="RequiredReservation"/> is the buying power the account must reserve in the
/// same turn (with <see cref="ReferencePrice"/> and <see cref="EstimatedFee"/> behind it). On denial,
/// <see cref="MaxQuantity"/> is the largest lot-aligned quantity that would have passed the failing limit, where the
/// limit has one (notional, position, buying power, reduce-only, shorting, quantity bounds).
/// </summary>
public sealed record RiskDecision
{
    public required bool Approved { get; init; }

    public required string ReasonCode { get; init; }

    public required string Message { get; init; }

    public decimal? MaxQuantity { get; init; }

    public decimal? ReferencePrice { get; init; }

    public decimal? EstimatedFee { get; init; }

    public decimal? RequiredReservation { get; init; }

    /// <summary>
    /// For QUANTITY_INVALID and ORDER_INVALID, the order rules that failed (<see cref="Orders.OrderErrorCodes"/>), so a
    /// client can tell them apart without reading <see cref="Message"/>, which says the same in words.
    /// </summary>
    public IReadOnlyList<string>? Causes { get; init; }

    /// <summary>A maximum of zero is none: no order passes the limit (a 0-share order is itself invalid).</summary>
    public static RiskDecision Deny(string reasonCode, string message, decimal? maxQuantity = null, IReadOnlyList<string>? causes = null) =>
        new() { Approved = false, ReasonCode = reasonCode, Message = message, MaxQuantity = maxQuantity > 0m ? maxQuantity : null, Causes = causes };
}
