using System.Globalization;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// An account's history in grain storage: full pages are written once as "history-N" states of the account grain and
/// never touched again; the page being filled (the tail) travels inside the core record, so a change costs one write.
/// Pages beyond the retention are deleted.
/// </summary>
/// <remarks>
/// A "history-N" record for the current page N can still exist: written by the older layout, which rewrote the current
/// page on every change, or by a crash between writing a full page and the core record that moves past it. Both hold a
/// prefix or an extension of the core record's tail, so loading keeps the longer of each list, and the record's ETag is
/// kept so the page's one write overwrites it.
/// </remarks>
internal sealed class AccountHistoryStore(IGrainStorage storage, GrainId grainId, AccountGrainOptions options)
{
    private readonly Dictionary<long, GrainState<AccountHistoryPage>> _pages = [];
    private GrainState<AccountHistoryPage> _current = new(new AccountHistoryPage());

    public async Task LoadAsync(AccountState state, AccountHistory history, CancellationToken cancellationToken)
    {
        for (var page = state.FirstHistoryPage; page < state.CurrentHistoryPage; page++)
        {
            var record = new GrainState<AccountHistoryPage>(new AccountHistoryPage());
            await storage.ReadStateAsync(Name(page), grainId, record, cancellationToken);
            record.State ??= new AccountHistoryPage();
            _pages[page] = record;
            Add(history, record.State);
        }

        _current = new GrainState<AccountHistoryPage>(new AccountHistoryPage());
        await storage.ReadStateAsync(Name(state.CurrentHistoryPage), grainId, _current, cancellationToken);
        if (_current.RecordExists && _current.State is { } stored)
        {
            state.HistoryTail = Longer(state.HistoryTail, stored);
        }

        Add(history, state.HistoryTail);

        // A crash between the page write and the core write leaves entries the counters do not know yet.
        state.LastEventSequence = Math.Max(state.LastEventSequence, history.Events.LastOrDefault()?.Sequence ?? 0);
        state.LastJournalSequence = Math.Max(state.LastJournalSequence, history.Journal.LastOrDefault()?.Sequence ?? 0);
        state.LastFillSequence = Math.Max(state.LastFillSequence, history.Fills.LastOrDefault()?.Sequence ?? 0);
        foreach (var order in state.WorkingOrders.Values)
        {
            history.ClientOrderIds[order.Order.ClientOrderId] = order.Order.OrderId;
            history.ExecutionIds.UnionWith(order.Order.ExecutionIds);
        }
    }

    public static void Append(AccountState state, AccountEvent entry) => state.HistoryTail.Events.Add(entry);

    public static void Append(AccountState state, JournalEntry entry) => state.HistoryTail.Journal.Add(entry);

    public static void Append(AccountState state, AccountFill fill) => state.HistoryTail.Fills.Add(fill);

    /// <summary>
    /// Before a core write: a full tail is written as its page (once) and the core record moves on to an empty tail;
    /// pages past the retention are deleted. A tail that is not full needs no write of its own.
    /// </summary>
    public async Task FlushAsync(AccountState state, AccountHistory history)
    {
        if (state.HistoryTail.Count < options.HistoryPageSize)
        {
            return;
        }

        _current.State = state.HistoryTail;
        await storage.WriteStateAsync(Name(state.CurrentHistoryPage), grainId, _current);
        _pages[state.CurrentHistoryPage] = _current;
        state.CurrentHistoryPage++;
        state.HistoryTail = new AccountHistoryPage();
        _current = new GrainState<AccountHistoryPage>(new AccountHistoryPage());
        while (state.CurrentHistoryPage - state.FirstHistoryPage > options.HistoryPages)
        {
            var oldest = _pages[state.FirstHistoryPage];
            await storage.ClearStateAsync(Name(state.FirstHistoryPage), grainId, oldest);
            history.RemoveOldest(oldest.State.Events.Count, oldest.State.Journal.Count, oldest.State.Fills.Count, state.WorkingOrders.Values);
            _pages.Remove(state.FirstHistoryPage);
            state.FirstHistoryPage++;
        }
    }

    private static void Add(AccountHistory history, AccountHistoryPage page)
    {
        page.Events.ForEach(history.Add);
        page.Journal.ForEach(history.Add);
        page.Fills.ForEach(history.Add);
    }

    /// <summary>Both pages hold the same history up to the shorter one's end: each list is taken from the one that goes further.</summary>
    private static AccountHistoryPage Longer(AccountHistoryPage core, AccountHistoryPage stored) => new()
    {
        Events = Last(stored.Events, e => e.Sequence) > Last(core.Events, e => e.Sequence) ? stored.Events : core.Events,
        Journal = Last(stored.Journal, j => j.Sequence) > Last(core.Journal, j => j.Sequence) ? stored.Journal : core.Journal,
        Fills = Last(stored.Fills, f => f.Sequence) > Last(core.Fills, f => f.Sequence) ? stored.Fills : core.Fills,
    };

    private static long Last<T>(List<T> entries, Func<T, long> sequence) => entries.Count == 0 ? 0 : sequence(entries[^1]);

    private static string Name(long page) => "history-" + page.ToString(CultureInfo.InvariantCulture);
}
