using System.Globalization;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// Writes an account's history as pages in grain storage ("history-N" states of the account grain): only the current page
/// is rewritten on a change; full pages are never touched again, and pages beyond the retention are deleted.
/// </summary>
internal sealed class AccountHistoryStore(IGrainStorage storage, GrainId grainId, AccountGrainOptions options)
{
    private readonly Dictionary<long, GrainState<AccountHistoryPage>> _pages = [];
    private GrainState<AccountHistoryPage> _tail = new(new AccountHistoryPage());
    private bool _dirty;

    public async Task LoadAsync(AccountState state, AccountHistory history, CancellationToken cancellationToken)
    {
        for (var page = state.FirstHistoryPage; page <= state.CurrentHistoryPage; page++)
        {
            var record = new GrainState<AccountHistoryPage>(new AccountHistoryPage());
            await storage.ReadStateAsync(Name(page), grainId, record, cancellationToken);
            record.State ??= new AccountHistoryPage();
            _pages[page] = record;
            record.State.Events.ForEach(history.Add);
            record.State.Journal.ForEach(history.Add);
            record.State.Fills.ForEach(history.Add);
        }

        _tail = _pages[state.CurrentHistoryPage];

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

    public void Append(AccountEvent entry)
    {
        _tail.State.Events.Add(entry);
        _dirty = true;
    }

    public void Append(JournalEntry entry)
    {
        _tail.State.Journal.Add(entry);
        _dirty = true;
    }

    public void Append(AccountFill fill)
    {
        _tail.State.Fills.Add(fill);
        _dirty = true;
    }

    /// <summary>Writes the current page if it changed; starts a new page when it is full and deletes pages past the retention.</summary>
    public async Task FlushAsync(AccountState state, AccountHistory history)
    {
        if (!_dirty)
        {
            return;
        }

        await storage.WriteStateAsync(Name(state.CurrentHistoryPage), grainId, _tail);
        _dirty = false;
        if (_tail.State.Count < options.HistoryPageSize)
        {
            return;
        }

        state.CurrentHistoryPage++;
        _tail = new GrainState<AccountHistoryPage>(new AccountHistoryPage());
        _pages[state.CurrentHistoryPage] = _tail;
        while (state.CurrentHistoryPage - state.FirstHistoryPage + 1 > options.HistoryPages)
        {
            var oldest = _pages[state.FirstHistoryPage];
            await storage.ClearStateAsync(Name(state.FirstHistoryPage), grainId, oldest);
            history.RemoveOldest(oldest.State.Events.Count, oldest.State.Journal.Count, oldest.State.Fills.Count, state.WorkingOrders.Values);
            _pages.Remove(state.FirstHistoryPage);
            state.FirstHistoryPage++;
        }
    }

    private static string Name(long page) => "history-" + page.ToString(CultureInfo.InvariantCulture);
}
