using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>The account's closed days: its "days" record, so the core record written on every order does not carry them.</summary>
internal sealed record AccountDays : ClosedDays<AccountDay>;

/// <summary>
/// Where the current day started: the ledger's totals and fill count the day's figures are measured from. Its equity is
/// the ledger's start-of-day equity, set in the same turn.
/// </summary>
internal sealed record AccountDayStart
{
    public required DateTimeOffset StartedAt { get; init; }

    public required decimal RealizedPnl { get; init; }

    public required decimal Fees { get; init; }

    public required long FillSequence { get; init; }

    /// <summary>Cash transferred since the day started (the ledger's start-of-day equity includes it, the day's row does not).</summary>
    public decimal CashFlow { get; init; }
}
