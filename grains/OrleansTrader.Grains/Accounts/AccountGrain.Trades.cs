using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Trades;

namespace OrleansTrader.Grains.Accounts;

/// <summary>Round trips: followed fill by fill in the core record, stored when they close (before the core write), and the trades query.</summary>
internal sealed partial class AccountGrain
{
    private TradeBook? _tradeBook;

    private TradeBook TradeBook => _tradeBook ??= new(_storage!, GrainId, _options.TradePagesKept, numbersRestart: false, environment.Calendar);

    public async Task<TradeHistory?> GetTradesAsync(TradeQuery query) =>
        S.IsOpen ? await TradeBook.QueryAsync(S.Trades, query, AccountId, strategyId: null) : null;
}
