using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>One page of an account's append-only history; pages older than the retention are deleted.</summary>
internal sealed record AccountHistoryPage
{
    public List<AccountEvent> Events { get; set; } = [];

    public List<JournalEntry> Journal { get; set; } = [];

    public List<AccountFill> Fills { get; set; } = [];

    public int Count => Events.Count + Journal.Count + Fills.Count;
}
