using System.Globalization;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// An account's history in grain storage: full pages are written once as "history-N" states of the account grain and
/// never touched again; the page being filled (the tail) travels inside the core record, so a change costs one write.
/// Pages beyond the retention are deleted; pages beyond the in-memory window are read back when a query needs them.
/// The tail moves on as soon as it holds a page's entries, also within a turn: one that records many changes (a cancel
/// of every working order, a back-fill after a restart) fills several pages, all written before the core record.
/// </summary>
/// <remarks>
/// A "history-N" record for the current page N can still exist: written by the older layout, which rewrote the current
/// page on every change, or by a crash between writing a full page and the core record that moves past it. Both hold a
/// prefix or an extension of the core record's tail: loading keeps the longer of each list up to the core record's
/// counters (what the crash wrote past them never reached the ledger), and the record's ETag is kept so the page's one
/// write overwrites it. A crash among the writes of several pages leaves pages past the current one too: they hold only
/// what the lost core write would have counted, so only their ETags are kept, for the writes that replace them.
/// </remarks>
internal sealed class AccountHistoryStore(IGrainStorage storage, GrainId grainId, AccountGrainOptions options)
{
    /// <summary>The journal action of a submit to the broker (a placement or a replacement): what the submit rate counts.</summary>
    public const string SubmittedAction = "submitted";

    /// <summary>
    /// The most pages one read asks for: a storage round trip per chunk rather than per page on activation, with at
    /// most this many pages (about 3 KB each as stored) held before they are indexed.
    /// </summary>
    private const int PagesPerRead = 256;

    /// <summary>The ETag of every retained written page, for its delete when it leaves the retention.</summary>
    private readonly Dictionary<long, string?> _etags = [];

    /// <summary>The ETags of pages past the current one that a crash among a persist's page writes left (see remarks).</summary>
    private readonly Dictionary<long, string?> _uncommittedEtags = [];

    /// <summary>Pages the tail filled since the last persist, oldest first: written (in order) before the next core write.</summary>
    private readonly List<(long Page, GrainState<AccountHistoryPage> Record)> _full = [];

    private GrainState<AccountHistoryPage> _current = new(new AccountHistoryPage());

    /// <summary>Loads the retained history; <paramref name="submits"/> gets the time of every submit it journaled, oldest first.</summary>
    public async Task LoadAsync(AccountState state, AccountHistory history, List<DateTimeOffset> submits, CancellationToken cancellationToken)
    {
        // The retained pages and the current one, read a chunk at a time (a round trip each on a SQL provider, not one
        // per page: a busy account retains up to HistoryPages of them) and taken in page order as before.
        // The page after the current one is read along (the same round trip): when a crash left it, so maybe more.
        history.StartTail(state.FirstHistoryPage);
        var last = state.CurrentHistoryPage + 1;
        for (long start = Math.Min(state.FirstHistoryPage, state.CurrentHistoryPage), end; start <= last; start = end + 1)
        {
            end = Math.Min(start + PagesPerRead - 1, last);
            var records = await ReadAsync(Range(start, end), cancellationToken);
            for (var page = start; page <= end; page++)
            {
                var record = records[(int)(page - start)];
                if (page > state.CurrentHistoryPage)
                {
                    if (record.RecordExists)
                    {
                        _uncommittedEtags[page] = record.ETag;
                        last = page + 1;
                    }

                    continue;
                }

                if (page == state.CurrentHistoryPage)
                {
                    _current = record;
                    continue;
                }

                _etags[page] = record.ETag;
                Add(history, record.State);
                AddSubmits(submits, record.State);
                history.SealTail(options.HistoryPagesInMemory);
            }
        }

        if (_current.RecordExists)
        {
            state.HistoryTail = Committed(Longer(state.HistoryTail, _current.State), state);
        }

        Add(history, state.HistoryTail);
        AddSubmits(submits, state.HistoryTail);
        foreach (var order in state.WorkingOrders.Values)
        {
            history.IndexWorking(order.Order);
        }
    }

    /// <summary>A retained page as stored (empty when it is gone).</summary>
    public async Task<AccountHistoryPage> ReadPageAsync(long page, CancellationToken cancellationToken = default) =>
        (await ReadAsync(page, cancellationToken)).State;

    /// <summary>Retained pages as stored (empty when gone), in the order asked, read together: one round trip per chunk.</summary>
    public async Task<IReadOnlyList<AccountHistoryPage>> ReadPagesAsync(IReadOnlyList<long> pages, CancellationToken cancellationToken = default) =>
        [.. (await ReadAsync(pages, cancellationToken)).Select(record => record.State)];

    public void Append(AccountState state, AccountHistory history, AccountEvent entry)
    {
        history.Add(entry);
        state.HistoryTail.Events.Add(entry);
        MoveOnWhenFull(state, history);
    }

    public void Append(AccountState state, AccountHistory history, JournalEntry entry)
    {
        history.Add(entry);
        state.HistoryTail.Journal.Add(entry);
        MoveOnWhenFull(state, history);
    }

    /// <summary>
    /// A fill and its event go into the same page (a written page stores the event without its fill): the tail moves on
    /// first when it has no room for both. Only with a page size of 1 does a page then hold two entries.
    /// </summary>
    public void Append(AccountState state, AccountHistory history, AccountFill fill, AccountEvent fillEvent)
    {
        if (state.HistoryTail.Count > 0 && state.HistoryTail.Count + 2 > options.HistoryPageSize)
        {
            MoveOn(state, history);
        }

        history.Add(fill);
        state.HistoryTail.Fills.Add(fill);
        history.Add(fillEvent);
        state.HistoryTail.Events.Add(fillEvent);
        MoveOnWhenFull(state, history);
    }

    /// <summary>
    /// Before a core write: the pages the tail filled are written (once each, in order) and pages past the retention are
    /// deleted. A tail that is not full needs no write of its own.
    /// </summary>
    public async Task FlushAsync(AccountState state, AccountHistory history)
    {
        // A tail loaded full (an older build wrote a page only at a persist, and the core record could carry one).
        MoveOnWhenFull(state, history);
        if (_full.Count == 0)
        {
            return;
        }

        // Removed once written: a failed write leaves the rest for the next persist, which writes no core record before them.
        while (_full.Count > 0)
        {
            var (page, record) = _full[0];
            record.State = WithoutRepeatedFills(record.State);
            await storage.WriteStateAsync(Name(page), grainId, record);
            _etags[page] = record.ETag;
            _full.RemoveAt(0);
        }

        history.TrimMemory(options.HistoryPagesInMemory);
        while (state.CurrentHistoryPage - state.FirstHistoryPage > options.HistoryPages)
        {
            var oldest = new GrainState<AccountHistoryPage>(new AccountHistoryPage())
            {
                ETag = _etags.GetValueOrDefault(state.FirstHistoryPage),
                RecordExists = true,
            };
            // Deleted for good, tombstone and all: a page name is never written again, as only the current page and the
            // ones after it are written and their numbers only grow (the core record that says which pages exist is never
            // written back to an older one). So no ETag of it can come to match a later record: a stale activation writing it again with
            // its old ETag finds no row and conflicts, as it did against the tombstone. One that never read it (no ETag)
            // would write it over a tombstone too. A tombstone a page kept stayed in storage for good, one per page.
            await storage.DeleteStateAsync(Name(state.FirstHistoryPage), grainId, oldest);
            if (history.EvictOldest(state.WorkingOrders) is { } forgotten && !(state.ExecutionsForgottenThrough >= forgotten))
            {
                state.ExecutionsForgottenThrough = forgotten;
            }

            _etags.Remove(state.FirstHistoryPage);
            state.FirstHistoryPage++;
        }
    }

    private void MoveOnWhenFull(AccountState state, AccountHistory history)
    {
        if (state.HistoryTail.Count >= options.HistoryPageSize)
        {
            MoveOn(state, history);
        }
    }

    /// <summary>
    /// The tail is full: it waits as its page for the next persist and the core record moves on to an empty tail. The
    /// page's entries stay in memory until then (a query meanwhile finds them there, not in storage).
    /// </summary>
    private void MoveOn(AccountState state, AccountHistory history)
    {
        _current.State = state.HistoryTail;
        _full.Add((state.CurrentHistoryPage, _current));
        state.CurrentHistoryPage++;
        state.HistoryTail = new AccountHistoryPage();
        var left = _uncommittedEtags.Remove(state.CurrentHistoryPage, out var etag);
        _current = new GrainState<AccountHistoryPage>(new AccountHistoryPage()) { ETag = etag, RecordExists = left };
        history.SealTail();
    }

    private async Task<GrainState<AccountHistoryPage>> ReadAsync(long page, CancellationToken cancellationToken)
    {
        var record = await storage.ReadRecordAsync<AccountHistoryPage>(Name(page), grainId, cancellationToken);
        WithFills(record.State);
        return record;
    }

    private async Task<IReadOnlyList<GrainState<AccountHistoryPage>>> ReadAsync(IReadOnlyList<long> pages, CancellationToken cancellationToken)
    {
        var records = await storage.ReadRecordsAsync<AccountHistoryPage>([.. pages.Select(Name)], grainId, cancellationToken);
        foreach (var record in records)
        {
            WithFills(record.State);
        }

        return records;
    }

    private static List<long> Range(long first, long last)
    {
        var pages = new List<long>((int)(last - first + 1));
        for (var page = first; page <= last; page++)
        {
            pages.Add(page);
        }

        return pages;
    }

    /// <summary>
    /// The page as written: a fill event leaves out its fill, which the page's fills list holds already (about a ninth of
    /// a market order's page). The k-th fill event carries the k-th fill, as <see cref="AccountGrain"/> appends both
    /// together; a page where that does not hold is written whole. The entries in memory are not touched.
    /// </summary>
    private static AccountHistoryPage WithoutRepeatedFills(AccountHistoryPage page)
    {
        var fill = 0;
        foreach (var entry in page.Events)
        {
            if (entry.Kind == AccountEventKind.Fill && (fill >= page.Fills.Count || !ReferenceEquals(entry.Fill, page.Fills[fill++])))
            {
                return page;
            }
        }

        if (fill == 0)
        {
            return page;
        }

        var events = new List<AccountEvent>(page.Events.Count);
        foreach (var entry in page.Events)
        {
            events.Add(entry.Kind == AccountEventKind.Fill ? entry with { Fill = null } : entry);
        }

        return new AccountHistoryPage { Events = events, Journal = page.Journal, Fills = page.Fills };
    }

    /// <summary>Puts back the fills <see cref="WithoutRepeatedFills"/> left out (pages written whole, by older builds too, have theirs).</summary>
    private static void WithFills(AccountHistoryPage page)
    {
        var fill = 0;
        for (var i = 0; i < page.Events.Count; i++)
        {
            var entry = page.Events[i];
            if (entry.Kind != AccountEventKind.Fill)
            {
                continue;
            }

            if (entry.Fill is null && fill < page.Fills.Count)
            {
                page.Events[i] = entry with { Fill = page.Fills[fill] };
            }

            fill++;
        }
    }

    private static void Add(AccountHistory history, AccountHistoryPage page)
    {
        page.Events.ForEach(history.Add);
        page.Journal.ForEach(history.Add);
        page.Fills.ForEach(history.Add);
    }

    private static void AddSubmits(List<DateTimeOffset> submits, AccountHistoryPage page)
    {
        foreach (var entry in page.Journal)
        {
            if (entry.Action == SubmittedAction)
            {
                submits.Add(entry.Timestamp);
            }
        }
    }

    /// <summary>Both pages hold the same history up to the shorter one's end: each list is taken from the one that goes further.</summary>
    private static AccountHistoryPage Longer(AccountHistoryPage core, AccountHistoryPage stored) => new()
    {
        Events = Last(stored.Events, e => e.Sequence) > Last(core.Events, e => e.Sequence) ? stored.Events : core.Events,
        Journal = Last(stored.Journal, j => j.Sequence) > Last(core.Journal, j => j.Sequence) ? stored.Journal : core.Journal,
        Fills = Last(stored.Fills, f => f.Sequence) > Last(core.Fills, f => f.Sequence) ? stored.Fills : core.Fills,
    };

    /// <summary>
    /// The entries the core record counts. Past its counters, a page holds what a persist wrote before its core write was
    /// lost (a crash between the two): the ledger lacks those changes, so the history must too, or a fill it lists would
    /// count as applied and its redelivery (or back-fill) be skipped, leaving the order open and the position short.
    /// The redelivered fill writes those entries again.
    /// </summary>
    private static AccountHistoryPage Committed(AccountHistoryPage tail, AccountState state) => new()
    {
        Events = [.. tail.Events.Where(e => e.Sequence <= state.LastEventSequence)],
        Journal = [.. tail.Journal.Where(j => j.Sequence <= state.LastJournalSequence)],
        Fills = [.. tail.Fills.Where(f => f.Sequence <= state.LastFillSequence)],
    };

        private static long Last<T>(List<T> entries, Func<T, long> sequence) => entries.Count == 0 ? 0 : sequence(entries[^1]);

    private static string Name(long page) => "history-" + page.ToString(CultureInfo.InvariantCulture);
}
