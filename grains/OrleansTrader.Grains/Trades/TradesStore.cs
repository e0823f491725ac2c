using System.Globalization;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Trades;

/// <summary>A page of an account's or a strategy's closed trades: its "trades-N" record, trades N×100+1 to N×100+100.</summary>
internal sealed record TradesPage
{
    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public List<ClosedTrade> Trades { get; init => field = value ?? []; } = [];
}

/// <summary>
/// An account's or a strategy's closed trades in pages of <see cref="PageSize"/>, the newest <c>pagesKept</c> kept. A trade is stored by
/// its number, before the core write that counts it, so a crash between the two stores the same trade again in its slot
/// rather than twice. Only the page being filled stays in memory; queries read older pages on demand.
/// </summary>
/// <remarks>
/// A page past the kept ones is deleted for good (no tombstone) when its number is never used again: the owner's trade
/// numbers only grow, so no writer can write that page again and match an old ETag (see
/// <see cref="IGrainStorage.DeleteStateAsync{T}"/>). An owner whose <see cref="ClearAsync"/> starts its numbers again
/// (<paramref name="numbersRestart"/>: a strategy deleted or rewound) writes the same names again, so its pages keep their
/// tombstones, which carry each name's version on and make a writer with an ETag of the earlier page conflict.
/// </remarks>
internal sealed class TradesStore(IGrainStorage storage, GrainId grainId, int pagesKept, bool numbersRestart)
{
    public const int PageSize = 100;

    /// <summary>Pages the first read of a newest-first query asks for; each further read asks for twice as many.</summary>
    private const int FirstPagesPerRead = 4;

    /// <summary>The most pages one read asks for: a query holds at most this many pages it has not filtered yet.</summary>
    private const int MostPagesPerRead = 32;

    private (long Page, GrainState<TradesPage> Record)? _current;

    /// <summary>Stores trades closed together (a back-fill can close several), each page they fall in written once.</summary>
    public async Task StoreAsync(IReadOnlyList<ClosedTrade> trades)
    {
        foreach (var onPage in trades.GroupBy(t => (t.Number - 1) / PageSize))
        {
            var page = onPage.Key;
            var record = _current is { } current && current.Page == page ? current.Record : await ReadAsync(page);
            var list = record.State.Trades;
            var started = false;
            foreach (var trade in onPage)
            {
                var slot = (int)((trade.Number - 1) % PageSize);
                started |= slot == 0;
                if (slot < list.Count)
                {
                    list[slot] = trade;
                }
                else if (slot == list.Count)
                {
                    list.Add(trade);
                }
                else
                {
                    throw new InvalidOperationException($"Trade {trade.Number} of {grainId} would leave a gap: its page holds {list.Count}.");
                }
            }

            await storage.WriteStateAsync(Name(page), grainId, record);
            _current = (page, record);
            if (started && page >= pagesKept)
            {
                await DropAsync(page - pagesKept, forGood: !numbersRestart);
            }
        }
    }

    /// <summary>
    /// The number of the oldest trade still kept when the newest is <paramref name="lastNumber"/>: the first of the oldest
    /// kept page (1 while no page has gone).
    /// </summary>
    public long OldestKept(long lastNumber) => lastNumber < 1 ? 1 : (Math.Max(0, ((lastNumber - 1) / PageSize) - pagesKept + 1) * PageSize) + 1;

    /// <summary>
    /// Up to <paramref name="limit"/> trades numbered at most <paramref name="newest"/> that match, newest first, of an owner
    /// whose latest trade is <paramref name="lastNumber"/>.
    /// </summary>
    /// <remarks>
    /// How many pages the matches take is not known ahead, so the pages are read in runs that grow from
    /// <see cref="FirstPagesPerRead"/> to <see cref="MostPagesPerRead"/>, newest first (a storage round trip per run,
    /// not per page): a query met by the newest pages reads few past them, one that filters through all kept pages
    /// reads them in a handful of round trips. The page being filled is taken from memory, as before. Only the pages kept
    /// when the latest is <paramref name="lastNumber"/> are read: counted back from <paramref name="newest"/> instead, a
    /// cursor below the latest read deleted pages, up to <c>pagesKept</c> of them for one below the oldest kept trade.
    /// </remarks>
    public async Task<List<ClosedTrade>> ReadNewestAsync(long lastNumber, long newest, int limit, Func<ClosedTrade, bool> matches)
    {
        var found = new List<ClosedTrade>();
        if (newest < 1 || lastNumber < 1)
        {
            return found;
        }

        var last = (Math.Min(newest, lastNumber) - 1) / PageSize;
        var oldest = (OldestKept(lastNumber) - 1) / PageSize;
        var run = FirstPagesPerRead;
        for (var end = last; end >= oldest && found.Count < limit; run = Math.Min(run * 2, MostPagesPerRead))
        {
            var start = Math.Max(oldest, end - run + 1);
            var pages = await ReadNewestFirstAsync(start, end);
            foreach (var page in pages)
            {
                var trades = page.Trades;
                for (var i = trades.Count - 1; i >= 0 && found.Count < limit; i--)
                {
                    if (trades[i].Number <= newest && matches(trades[i]))
                    {
                        found.Add(trades[i]);
                    }
                }

                if (found.Count >= limit)
                {
                    break;
                }
            }

            end = start - 1;
        }

        return found;
    }

    /// <summary>Deletes every kept page of trades up to number <paramref name="newest"/>.</summary>
    public async Task ClearAsync(long newest)
    {
        _current = null;
        if (newest < 1)
        {
            return;
        }

        // The kept pages are known ahead: read together (a round trip per run of them), then each one stored is cleared.
        var last = (newest - 1) / PageSize;
        for (var start = Math.Max(0, last - pagesKept + 1); start <= last; start += MostPagesPerRead)
        {
            var end = Math.Min(start + MostPagesPerRead - 1, last);
            var records = await storage.ReadRecordsAsync<TradesPage>([.. Pages(start, end).Select(Name)], grainId);
            for (var page = start; page <= end; page++)
            {
                var record = records[(int)(page - start)];
                if (record.RecordExists)
                {
                    await storage.ClearStateAsync(Name(page), grainId, record);
                }
            }
        }
    }

    /// <summary>Pages <paramref name="end"/> down to <paramref name="start"/>, the one in memory from there and the rest read in one round trip.</summary>
    private async Task<List<TradesPage>> ReadNewestFirstAsync(long start, long end)
    {
        long? inMemory = _current is { } current && current.Page >= start && current.Page <= end ? current.Page : null;
        var stored = Pages(start, end).Where(page => page != inMemory).Reverse().ToList();
        var records = stored.Count == 0 ? [] : await storage.ReadRecordsAsync<TradesPage>([.. stored.Select(Name)], grainId);
        var pages = new List<TradesPage>((int)(end - start + 1));
        var next = 0;
        for (var page = end; page >= start; page--)
        {
            pages.Add(page == inMemory ? _current!.Value.Record.State : records[next++].State);
        }

        return pages;
    }

    private static IEnumerable<long> Pages(long first, long last)
    {
        for (var page = first; page <= last; page++)
        {
            yield return page;
        }
    }

    private Task<GrainState<TradesPage>> ReadAsync(long page) => storage.ReadRecordAsync<TradesPage>(Name(page), grainId);

    private async Task DropAsync(long page, bool forGood)
    {
        var record = await ReadAsync(page);
        if (record.RecordExists)
        {
            await (forGood ? storage.DeleteStateAsync(Name(page), grainId, record) : storage.ClearStateAsync(Name(page), grainId, record));
        }
    }

    private static string Name(long page) => "trades-" + page.ToString(CultureInfo.InvariantCulture);
}
