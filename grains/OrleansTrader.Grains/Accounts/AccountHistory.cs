using System.Runtime.InteropServices;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// An account's history as the grain holds it. The entries (events, journal, fills) of the newest pages stay in memory
/// (<see cref="AccountGrainOptions.HistoryPagesInMemory"/>); older retained pages are read from storage when a query
/// reaches them. The indexes that every order and fill needs cover the whole retention: client order ids
/// (idempotency), applied execution ids (exactly-once fills) and the page that holds each closed order's final state.
/// </summary>
/// <remarks>
/// Memory is bounded by the window, not by the retention: a retained page costs a summary and its index keys. Each key
/// remembers the newest page that mentions it, so dropping a page from the retention removes only keys no newer page
/// (and no working order) still needs.
/// </remarks>
internal sealed class AccountHistory
{
    private readonly Dictionary<string, (string OrderId, long Page)> _clientOrderIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _executionIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _closedOrderPages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccountOrder> _closedInMemory = new(StringComparer.Ordinal);
    private readonly List<HistoryPageSummary> _pages = [];
    private HistoryPageSummary _tail = new(0);
    private int _pagesInMemory;

    /// <summary>Events of the pages in memory and the tail, oldest first.</summary>
    public List<AccountEvent> Events { get; } = [];

    /// <summary>Journal entries of the pages in memory and the tail, oldest first.</summary>
    public List<JournalEntry> Journal { get; } = [];

    /// <summary>Fills of the pages in memory and the tail, oldest first.</summary>
    public List<AccountFill> Fills { get; } = [];

    /// <summary>The written pages still retained, oldest first (those not in memory are read on demand).</summary>
    public IReadOnlyList<HistoryPageSummary> Pages => _pages;

    /// <summary>The number of retained pages whose entries are not in memory; they are the first ones of <see cref="Pages"/>.</summary>
    public int PagesOnlyInStorage => _pages.Count - _pagesInMemory;

    public int ExecutionCount => _executionIds.Count;

    /// <summary>Every retained closed order id with the page of its final state.</summary>
    public IReadOnlyDictionary<string, long> ClosedOrderPages => _closedOrderPages;

    /// <summary>Entries added from now on belong to this page (the core record's tail).</summary>
    public void StartTail(long page) => _tail = new HistoryPageSummary(page);

    public void Add(AccountEvent entry)
    {
        Events.Add(entry);
        _tail.Add(entry);
        if (entry.Order is { } order && order.Status.IsFinal())
        {
            _closedOrderPages[order.OrderId] = _tail.Page;
            _closedInMemory[order.OrderId] = order;
        }
    }

    public void Add(JournalEntry entry)
    {
        Journal.Add(entry);
        _tail.Add(entry);

        // A denial does not claim its client order id (a retry is evaluated again), now or after a reload.
        if (entry.To != OrderStatus.Denied)
        {
            _clientOrderIds[entry.ClientOrderId] = (entry.OrderId, _tail.Page);
        }
    }

    public void Add(AccountFill fill)
    {
        Fills.Add(fill);
        _tail.Add(fill);
        AddExecution(fill.ExecutionId);
    }

    /// <summary>Marks an execution as applied (also one booked without a fill entry, e.g. for an unknown order).</summary>
    public void AddExecution(string executionId)
    {
        if (_executionIds.TryGetValue(executionId, out var page) && page == _tail.Page)
        {
            return;
        }

        _executionIds[executionId] = _tail.Page;
        _tail.AddExecution(executionId);
    }

    public bool HasExecution(string executionId) => _executionIds.ContainsKey(executionId);

    public bool TryGetOrderId(string clientOrderId, out string orderId)
    {
        var found = _clientOrderIds.TryGetValue(clientOrderId, out var entry);
        orderId = entry.OrderId;
        return found;
    }

    public void ForgetClientOrderId(string clientOrderId) => _clientOrderIds.Remove(clientOrderId);

    /// <summary>Keeps a working order's ids indexed (used at load: its journal may be older than the retention).</summary>
    public void IndexWorking(Order order)
    {
        _clientOrderIds.TryAdd(order.ClientOrderId, (order.OrderId, _tail.Page));
        foreach (var id in order.ExecutionIds)
        {
            // Listed by the tail, so they leave with its page once the order has ended: the order's own entries from now on
            // name its new executions only, and an id no page lists stayed indexed for the activation's life.
            if (_executionIds.TryAdd(id, _tail.Page))
            {
                _tail.AddExecution(id);
            }
        }
    }

    public bool IsClosed(string orderId) => _closedOrderPages.ContainsKey(orderId);

    /// <summary>
    /// The final state of a closed order when its page is in memory, or of a replaced order while its page is retained; see
    /// <see cref="ClosedOrderPages"/> otherwise.
    /// </summary>
    public AccountOrder? ClosedInMemory(string orderId) => _closedInMemory.GetValueOrDefault(orderId);

    /// <summary>The tail was written as its page: it joins the retained pages and the next tail starts.</summary>
    public void SealTail(int pagesInMemory)
    {
        SealTail();
        TrimMemory(pagesInMemory);
    }

    /// <summary>
    /// The tail is full: it joins the retained pages and the next tail starts. Its entries stay in memory (past the window
    /// until <see cref="TrimMemory"/>): the page is written at the next persist, and a query until then reads it here.
    /// </summary>
    public void SealTail()
    {
        _tail.Seal();
        _pages.Add(_tail);
        _pagesInMemory++;
        _tail = new HistoryPageSummary(_tail.Page + 1);
    }

    /// <summary>Drops the entries of the oldest pages in memory beyond <paramref name="pagesInMemory"/> (they stay in storage).</summary>
    public void TrimMemory(int pagesInMemory)
    {
        while (_pagesInMemory > pagesInMemory)
        {
            var page = _pages[_pages.Count - _pagesInMemory];
            Events.RemoveRange(0, page.EventCount);
            Journal.RemoveRange(0, page.JournalCount);
            Fills.RemoveRange(0, page.FillCount);
            foreach (var orderId in page.ClosedOrderIds)
            {
                // A replaced order stays: a fill of it can still arrive after the replace (the cancel-replace race), and the
                // account books it by what the order was, however many pages came in between.
                if (_closedOrderPages.TryGetValue(orderId, out var newest) && newest <= page.Page
                    && _closedInMemory.GetValueOrDefault(orderId)?.Status != OrderStatus.Replaced)
                {
                    _closedInMemory.Remove(orderId);
                }
            }

            _pagesInMemory--;
        }
    }

    /// <summary>
    /// The oldest retained page was deleted: its entries leave memory if still there, and its keys leave the indexes unless
    /// a newer page or a working order still refers to them. Returns the newest execution time of its fills, whose ids are
    /// forgotten from here on (an execution seen again after that cannot be told from a new one).
    /// </summary>
    public DateTimeOffset? EvictOldest(IReadOnlyDictionary<string, WorkingOrder> working)
    {
        TrimMemory(Math.Min(_pagesInMemory, _pages.Count - 1));
        var page = _pages[0];
        _pages.RemoveAt(0);
        foreach (var clientOrderId in page.ClientOrderIds)
        {
            if (_clientOrderIds.TryGetValue(clientOrderId, out var entry) && entry.Page <= page.Page && !working.ContainsKey(entry.OrderId))
            {
                _clientOrderIds.Remove(clientOrderId);
            }
        }

        foreach (var executionId in page.ExecutionIds)
        {
            if (_executionIds.TryGetValue(executionId, out var newest) && newest <= page.Page)
            {
                if (!IsExecutionOfWorking(working, executionId))
                {
                    _executionIds.Remove(executionId);
                }
                else
                {
                    // Still needed: it moves on to the tail and leaves with that page once the order has ended. Left on this
                    // page's number, no later eviction named it, and it stayed indexed for the activation's life.
                    _executionIds[executionId] = _tail.Page;
                    _tail.AddExecution(executionId);
                }
            }
        }

        foreach (var orderId in page.ClosedOrderIds)
        {
            if (_closedOrderPages.TryGetValue(orderId, out var newest) && newest <= page.Page)
            {
                _closedOrderPages.Remove(orderId);
                _closedInMemory.Remove(orderId);
            }
        }

        return page.NewestFillAt;
    }

    /// <summary>A partly filled working order still needs its executions indexed (each order's set is a lookup, no copy).</summary>
    private static bool IsExecutionOfWorking(IReadOnlyDictionary<string, WorkingOrder> working, string executionId)
    {
        foreach (var order in working.Values)
        {
            if (order.Order.ExecutionIds.Contains(executionId))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What the grain keeps of a written history page: entry counts, sequence ranges and the keys it indexed.</summary>
/// <remarks>
/// A sealed page keeps its three key lists as runs of one exact-size array: there is a summary per retained page (about
/// one order each), so three lists and their arrays per page were most of what the retention cost.
/// </remarks>
internal sealed class HistoryPageSummary(long page)
{
    private List<string>? _clientOrderIds = [];
    private List<string>? _executionIds = [];
    private List<string>? _closedOrderIds = [];

    /// <summary>Once sealed: client order ids, then execution ids (from <see cref="_executionStart"/>), then closed order ids.</summary>
    private string[] _keys = [];
    private int _executionStart;
    private int _closedStart;

    public long Page { get; } = page;

    public int EventCount { get; private set; }

    public int JournalCount { get; private set; }

    public int FillCount { get; private set; }

    /// <summary>The newest sequence of each kind in the page (0 when it has none): a query after it can skip the page.</summary>
    public long LastEventSequence { get; private set; }

    public long LastJournalSequence { get; private set; }

    public long LastFillSequence { get; private set; }

    public long FirstEventSequence { get; private set; }

    /// <summary>The newest execution time among the page's fills (null when it has none).</summary>
    public DateTimeOffset? NewestFillAt { get; private set; }

    public ReadOnlySpan<string> ClientOrderIds =>
        _clientOrderIds is { } building ? CollectionsMarshal.AsSpan(building) : _keys.AsSpan(0, _executionStart);

    public ReadOnlySpan<string> ExecutionIds =>
        _executionIds is { } building ? CollectionsMarshal.AsSpan(building) : _keys.AsSpan(_executionStart, _closedStart - _executionStart);

    public ReadOnlySpan<string> ClosedOrderIds =>
        _closedOrderIds is { } building ? CollectionsMarshal.AsSpan(building) : _keys.AsSpan(_closedStart);

    /// <summary>A written page gets no more entries: its keys move into one array of their size (a retained page costs only that).</summary>
    public void Seal()
    {
        if (_clientOrderIds is null || _executionIds is null || _closedOrderIds is null)
        {
            return;
        }

        _executionStart = _clientOrderIds.Count;
        _closedStart = _executionStart + _executionIds.Count;
        var count = _closedStart + _closedOrderIds.Count;
        if (count > 0)
        {
            _keys = new string[count];
            _clientOrderIds.CopyTo(_keys, 0);
            _executionIds.CopyTo(_keys, _executionStart);
            _closedOrderIds.CopyTo(_keys, _closedStart);
        }

        _clientOrderIds = null;
        _executionIds = null;
        _closedOrderIds = null;
    }

    public void AddExecution(string executionId) => Building(_executionIds).Add(executionId);

    public void Add(AccountEvent entry)
    {
        EventCount++;
        FirstEventSequence = FirstEventSequence == 0 ? entry.Sequence : FirstEventSequence;
        LastEventSequence = entry.Sequence;
        if (entry.Order is { } order && order.Status.IsFinal())
        {
            Building(_closedOrderIds).Add(order.OrderId);
        }
    }

    public void Add(JournalEntry entry)
    {
        JournalCount++;
        LastJournalSequence = entry.Sequence;
        var clientOrderIds = Building(_clientOrderIds);
        if (clientOrderIds.Count == 0 || clientOrderIds[^1] != entry.ClientOrderId)
        {
            clientOrderIds.Add(entry.ClientOrderId);
        }
    }

    public void Add(AccountFill fill)
    {
        FillCount++;
        LastFillSequence = fill.Sequence;
        NewestFillAt = NewestFillAt > fill.Timestamp ? NewestFillAt : fill.Timestamp;
    }

    private List<string> Building(List<string>? keys) =>
        keys ?? throw new InvalidOperationException($"History page {Page} is sealed: it takes no more entries.");
}
