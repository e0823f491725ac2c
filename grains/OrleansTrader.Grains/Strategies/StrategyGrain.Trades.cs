using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Trades;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// The round trips of the strategy's own positions, as an account keeps its own (docs/grains.md, "Trades"): followed at
/// each fill of its orders, stored as they close, before the state that counts them is written (the event that closed
/// one is replayed after a crash, and stores it again in its slot).
/// </summary>
internal sealed partial class StrategyGrain
{
    /// <summary>The newest 10,000 trades, as an account keeps by default.</summary>
    private const int TradePagesKept = 100;

    private TradeBook? _tradeBook;

    private TradeBook TradeBook =>
        _tradeBook ??= new(ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default), GrainId, TradePagesKept, numbersRestart: true, environment.Calendar);

    public async Task<TradeHistory?> GetTradesAsync(TradeQuery query)
    {
        if (!S.Exists)
        {
            return null;
        }

        await BookStoppedFillsAsync();
        return await TradeBook.QueryAsync(S.Trades, query, _accountId, _strategyId);
    }
}
