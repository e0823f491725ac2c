namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// One trading day of an account (a trading date: UTC, or New York's on the NYSE calendar): its equity at the start and at the end, and what happened in between.
/// A day ends at the account's first valuation on a later date, which is also where the next day starts, so the days
/// chain: the sum of their <see cref="Pnl"/> is the change in equity less the cash transferred. Money is unrounded, as everywhere in the grains.
/// </summary>
public sealed record AccountDay
{
    /// <summary>The trading date the day started on (the calendar's: UTC, or New York's on the NYSE calendar).</summary>
    public required DateOnly Date { get; init; }

    /// <summary>False for today, whose figures run up to <see cref="EndedAt"/> (the time of the query).</summary>
    public required bool Closed { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the day was closed; longer than a day after the start when the account was not active in between.</summary>
    public required DateTimeOffset EndedAt { get; init; }

    public required decimal StartEquity { get; init; }

    public required decimal EndEquity { get; init; }

    /// <summary>Cash transferred in (positive) and out (negative) during the day: in the equity, not in the P&amp;L.</summary>
    public decimal CashFlow { get; init; }

    /// <summary>EndEquity - StartEquity - CashFlow: realized and unrealized P&amp;L, net of fees.</summary>
    public decimal Pnl => EndEquity - StartEquity - CashFlow;

    /// <summary>P&amp;L realized by the day's fills, before fees.</summary>
    public required decimal RealizedPnl { get; init; }

    public required decimal Fees { get; init; }

    public required long Fills { get; init; }
}
