using System.Globalization;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Trades;

/// <summary>A page of an account's or a strategy's closed trades: its "trades-N" record, trades N×100+1 to N×100+100.</summary>
internal sealed record TradesPage
{
    public List<ClosedTrade> Trades { get; init; } = [];
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

    /// <summary>Up to <paramref name="limit"/> trades numbered at most <paramref name="newest"/> that match, newest first.</summary>
    public async Task<List<ClosedTrade>> ReadNewestAsync(long newest, int limit, Func<ClosedTrade, bool> matches)
    {
        var found = new List<ClosedTrade>();
        if (newest < 1)
        {
            return found;
        }

        var last = (newest - 1) / PageSize;
        for (var page = last; page >= Math.Max(0, last - pagesKept + 1) && found.Count < limit; page--)
        {
            var trades = (_current is { } current && current.Page == page ? current.Record : await ReadAsync(page)).State.Trades;
            for (var i = trades.Count - 1; i >= 0 && found.Count < limit; i--)
            {
                if (trades[i].Number <= newest && matches(trades[i]))
                {
                    found.Add(trades[i]);
                }
            }
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

        var last = (newest - 1) / PageSize;
        for (var page = Math.Max(0, last - pagesKept + 1); page <= last; page++)
        {
            await DropAsync(page, forGood: false);
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
