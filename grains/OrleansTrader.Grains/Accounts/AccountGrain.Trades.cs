using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Statistics;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>Round trips: followed fill by fill in the core record, stored when they close, and the trades query.</summary>
internal sealed partial class AccountGrain
{
    // Closed since the last persist; stored before the core write that counts them.
    private readonly List<AccountTrade> _closedTrades = [];
    private AccountTradesStore? _trades;

    private AccountTradesStore Trades => _trades ??= new(_storage!, GrainId, _options.TradePagesKept);

    public async Task<AccountTrades?> GetTradesAsync(AccountTradeQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!S.IsOpen)
        {
            return null;
        }

        var newest = Math.Min(S.LastTradeNumber, (query.Before ?? long.MaxValue) - 1);
        var trades = await Trades.ReadNewestAsync(newest, Math.Max(0, query.Limit), t =>
            ClosedDaysStore<AccountDays, AccountDay>.InRange(DateOnly.FromDateTime(t.ExitTime.UtcDateTime), query.From, query.To)
            && (query.Symbol is null || string.Equals(t.Symbol, query.Symbol, StringComparison.Ordinal)));
        return new AccountTrades
        {
            AccountId = AccountId,
            Trades = trades,
            Open = [.. S.OpenTrades.Values
                .Where(t => query.Symbol is null || string.Equals(t.Symbol, query.Symbol, StringComparison.Ordinal))
                .OrderBy(t => t.Symbol, StringComparer.Ordinal)
                .Select(t => new AccountOpenTrade
                {
                    Symbol = t.Symbol,
                    IsLong = t.IsLong,
                    Quantity = t.Opened - t.Closed,
                    EntryTime = t.EntryTime,
                    EntryPrice = t.OpenedNotional / t.Opened,
                    RealizedPnl = t.RealizedPnl,
                    Fees = t.Fees,
                })],
            Summary = TradeStatistics.Of(trades.Select(t => t.NetPnl)),
        };
    }

    /// <summary>Follows a booked fill of <paramref name="before"/>'s symbol; a round trip it closes waits for the next persist.</summary>
    private void FollowTrade(Position before, PositionFill fill, Execution execution)
    {
        var (open, closed) = OpenRoundTrip.Follow(S.OpenTrades.GetValueOrDefault(execution.Symbol), before, fill, execution);
        if (open is null)
        {
            S.OpenTrades.Remove(execution.Symbol);
        }
        else
        {
            S.OpenTrades[execution.Symbol] = open;
        }

        if (closed is not null)
        {
            _closedTrades.Add(new AccountTrade
            {
                Number = ++S.LastTradeNumber,
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

    /// <summary>Stores the trades closed since the last persist, ahead of the core write that counts them.</summary>
    private async Task StoreClosedTradesAsync()
    {
        if (_closedTrades.Count == 0)
        {
            return;
        }

        await Trades.StoreAsync(_closedTrades);
        _closedTrades.Clear();
    }
}
