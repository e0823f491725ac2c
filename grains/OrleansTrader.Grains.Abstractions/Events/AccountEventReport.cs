using OrleansTrader.Domain;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// Fills and account events as they leave the system (the API's answers, its event stream, webhooks): amounts of money to
/// the cent (<see cref="Money.RoundForReport"/>); prices and quantities keep their precision.
/// </summary>
public static class AccountEventReport
{
    public static AccountFill Round(AccountFill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        return fill with
        {
            Fee = Money.RoundForReport(fill.Fee),
            RealizedPnl = Money.RoundForReport(fill.RealizedPnl),
        };
    }

    /// <summary>
    /// A cash transfer as reported: its amount and the cash after it are money, so to the cent. The amount is a whole number
    /// of cents already, but kept as written (1.000), it was answered so.
    /// </summary>
    public static CashTransfer Round(CashTransfer transfer)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        return transfer with { Amount = Money.RoundForReport(transfer.Amount), CashAfter = Money.RoundForReport(transfer.CashAfter) };
    }

    /// <summary>An account event as reported: a fill event's fill is rounded like a fill, a transfer event's transfer like a transfer.</summary>
    public static AccountEvent Round(AccountEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            { Fill: { } fill } => e with { Fill = Round(fill) },
            { Transfer: { } transfer } => e with { Transfer = Round(transfer) },
            _ => e,
        };
    }
}
