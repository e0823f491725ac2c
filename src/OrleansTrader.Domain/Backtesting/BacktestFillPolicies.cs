using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Backtesting;

/// <summary>
/// Two simple fill assumptions. Both fill the whole quantity (no volume or liquidity model) and support market,
/// limit and stop orders; stop-limit orders are not modelled and do not fill.
/// </summary>
public static class BacktestFillPolicies
{
    /// <summary>
    /// Fills at the next bar of the symbol, at its start: market at the open; a limit at the open if the open is at
    /// least as good, else at the limit if the bar trades through it; a stop at the open if the open is already
    /// beyond it, else at the stop if the bar reaches it. No next bar: no fill.
    /// </summary>
    public static BacktestFillPolicy NextBarOpen { get; } = static (intent, _, next) =>
    {
        if (next is null)
        {
            return null;
        }

        var buy = intent.Side == OrderSide.Buy;
        decimal? price = intent.Type switch
        {
            OrderType.Market => next.Open,
            OrderType.Limit when intent.LimitPrice is { } limit => buy
                ? (next.Open <= limit ? next.Open : next.Low <= limit ? limit : null)
                : (next.Open >= limit ? next.Open : next.High >= limit ? limit : null),
            OrderType.Stop when intent.StopPrice is { } stop => buy
                ? (next.Open >= stop ? next.Open : next.High >= stop ? stop : null)
                : (next.Open <= stop ? next.Open : next.Low <= stop ? stop : null),
            _ => null,
        };
        return price is { } p ? new BacktestFill(p, next.Start) : null;
    };

    /// <summary>
    /// Fills at the close of the bar that produced the intent, at its end: market always; a limit or stop only if
    /// that close satisfies it. Optimistic (the strategy saw that close), useful as a bound.
    /// </summary>
    public static BacktestFillPolicy SignalBarClose { get; } = static (intent, signal, _) =>
    {
        var buy = intent.Side == OrderSide.Buy;
        var close = signal.Close;
        var fills = intent.Type switch
        {
            OrderType.Market => true,
            OrderType.Limit when intent.LimitPrice is { } limit => buy ? close <= limit : close >= limit,
            OrderType.Stop when intent.StopPrice is { } stop => buy ? close >= stop : close <= stop,
            _ => false,
        };
        return fills ? new BacktestFill(close, signal.End) : null;
    };
}
