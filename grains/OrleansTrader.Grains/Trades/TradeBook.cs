using System.Text.Json.Serialization;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Statistics;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Trades;

/// <summary>The part of an account's or a strategy's stored state that follows its round trips.</summary>
internal sealed record TradeState
{
    /// <summary>Closed trades so far: the number of the newest in the "trades-N" records.</summary>
    public long LastNumber { get; set; }

    /// <summary>The round trip in progress per symbol with a position.</summary>
    [JsonConverter(typeof(OpenTradesJsonConverter))]
    public Dictionary<string, OpenRoundTrip> Open { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The round trips of an account or a strategy: followed fill by fill in the owner's <see cref="TradeState"/>, stored
/// in <see cref="TradesStore"/> pages as they close (the owner calls <see cref="StoreClosedAsync"/> before it writes the
/// state that counts them), and queried newest first.
/// </summary>
/// <remarks>
/// An owner that calls <see cref="ClearAsync"/> sets <paramref name="numbersRestart"/>: its numbers, and page names, start
/// again. A query's dates are the <paramref name="calendar"/>'s trading dates of the exits, as the owner's days are.
/// </remarks>
internal sealed class TradeBook(IGrainStorage storage, GrainId grainId, int pagesKept, bool numbersRestart, ITradingCalendar calendar)
{
    private readonly List<ClosedTrade> _closed = [];
    private readonly TradesStore _store = new(storage, grainId, pagesKept, numbersRestart);

    /// <summary>Follows a booked fill of <paramref name="before"/>'s symbol; a round trip it closes waits for <see cref="StoreClosedAsync"/>.</summary>
    public void Follow(TradeState state, Position before, PositionFill fill, Execution execution)
    {
        var closed = OpenRoundTrip.FollowIn(state.Open, before, fill, execution);
        if (closed is not null)
        {
            _closed.Add(new ClosedTrade
            {
                Number = ++state.LastNumber,
                Symbol = closed.Symbol,
                IsLong = closed.IsLong,
                Quantity = closed.Quantity,
                EntryTime = closed.EntryTime,
                EntryPrice = closed.EntryPrice,
                ExitTime = closed.ExitTime,
                ExitPrice = closed.ExitPrice,
                RealizedPnl = closed.RealizedPnl,
                Fees = closed.Fees,
                ExitExecutionId = execution.ExecutionId,
            });
        }
    }

    /// <summary>
    /// Starts the round trip of each held position that has none (one held since before trades were kept), as its next fill
    /// would (<see cref="OpenRoundTrip.HeldUnfollowed"/>), so the open trades list what is held; that fill then carries it on.
    /// A state whose fills were all followed has one per held position already and is left as it is.
    /// </summary>
    public static void StartHeldUnfollowed(TradeState state, IEnumerable<Position> positions)
    {
        foreach (var position in positions)
        {
            if (!state.Open.ContainsKey(position.Symbol) && OpenRoundTrip.HeldUnfollowed(position) is { } held)
            {
                state.Open[position.Symbol] = held;
            }
        }
    }

    /// <summary>Stores the trades closed since the last call.</summary>
    public async Task StoreClosedAsync()
    {
        if (_closed.Count == 0)
        {
            return;
        }

        await _store.StoreAsync(_closed);
        _closed.Clear();
    }

    public async Task<TradeHistory> QueryAsync(TradeState state, TradeQuery query, string accountId, string? strategyId)
    {
        ArgumentNullException.ThrowIfNull(query);
        var newest = Math.Min(state.LastNumber, (query.Before ?? long.MaxValue) - 1);
        var trades = await _store.ReadNewestAsync(state.LastNumber, newest, Math.Max(0, query.Limit), t =>
            DateRange.Includes(calendar.TradingDate(t.ExitTime), query.From, query.To)
            && (query.Symbol is null || string.Equals(t.Symbol, query.Symbol, StringComparison.Ordinal)));
        return new TradeHistory
        {
            AccountId = accountId,
            StrategyId = strategyId,
            Trades = trades,
            // The end of the list, with trades below it no longer kept: a bare empty page read as "no older trades".
            Truncated = trades.Count < query.Limit && newest >= 1 && _store.OldestKept(state.LastNumber) > 1,
            Open = [.. state.Open.Values
                .Where(t => query.Symbol is null || string.Equals(t.Symbol, query.Symbol, StringComparison.Ordinal))
                .OrderBy(t => t.Symbol, StringComparer.Ordinal)
                .Select(t => new OpenTrade
                {
                    Symbol = t.Symbol,
                    IsLong = t.IsLong,
                    Quantity = t.Opened - t.Closed,
                    EntryTime = t.EntryTime,
                    EntryPrice = t.HeldEntryPrice,
                    RealizedPnl = t.RealizedPnl,
                    Fees = t.Fees,
                })],
            Summary = TradeStatistics.Of(trades.Select(t => t.NetPnl)),
        };
    }

    /// <summary>Deletes the stored trades and forgets the open ones (a deleted or re-created owner starts without them).</summary>
    public async Task ClearAsync(TradeState state)
    {
        await _store.ClearAsync(state.LastNumber);
        _closed.Clear();
        state.LastNumber = 0;
        state.Open.Clear();
    }
}
