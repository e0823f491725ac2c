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

    /// <summary>An account event as reported: a fill event's fill is rounded like a fill.</summary>
    public static AccountEvent Round(AccountEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Fill is { } fill ? e with { Fill = Round(fill) } : e;
    }
}
