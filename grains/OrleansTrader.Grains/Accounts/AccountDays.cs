using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// The account's closed days, oldest first, stored as the account grain's "days" record: written once a day, when a day
/// closes, so the core record written on every order does not carry them.
/// </summary>
internal sealed record AccountDays
{
    public List<AccountDay> Days { get; init; } = [];
}

/// <summary>Where the current day started: the equity, and the ledger's totals and fill count the day's figures are measured from.</summary>
internal sealed record AccountDayStart
{
    public required DateTimeOffset StartedAt { get; init; }

    public required decimal Equity { get; init; }

    public required decimal RealizedPnl { get; init; }

    public required decimal Fees { get; init; }

    public required long FillSequence { get; init; }
}
