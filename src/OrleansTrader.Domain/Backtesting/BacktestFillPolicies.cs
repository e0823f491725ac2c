using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Backtesting;

/// <summary>
/// Two simple fill assumptions. Both fill the whole quantity (no volume or liquidity model) and support market, limit,
/// stop and stop-limit orders. A stop-limit order becomes a limit order once its stop is reached; within a bar the
/// policies assume the price went from the open to the stop before it went on to the limit.
/// </summary>
public static class BacktestFillPolicies
{
    /// <summary>
    /// Fills at the next bar of the symbol, at its start: market at the open; a limit at the open if the open is at
    /// least as good, else at the limit if the bar trades strictly through it (a low or high only at the limit does not
    /// fill it, as a print at the limit does not at the paper exchange); a stop at the open if the open is already
    /// beyond it, else at the stop if the bar reaches it. A stop-limit triggers like a stop, at the open or at the stop;
    /// it fills at that price if the limit allows it, else at the limit if the bar trades through the limit too. No
    /// next bar: no fill.
    /// </summary>
    public static BacktestFillPolicy NextBarOpen { get; } = static (intent, _, next) =>
    {
        if (next is null)
        {
            return null;
        }

        var buy = intent.Side == OrderSide.Buy;
        var price = intent.Type switch
        {
            OrderType.Market => next.Open,
            OrderType.Limit when intent.LimitPrice is { } limit => buy
                ? (next.Open <= limit ? next.Open : next.Low < limit ? limit : null)
                : (next.Open >= limit ? next.Open : next.High > limit ? limit : null),
            OrderType.Stop when intent.StopPrice is { } stop => Triggered(buy, stop, next),
            OrderType.StopLimit when intent.StopPrice is { } stop && intent.LimitPrice is { } limit && Triggered(buy, stop, next) is { } at => buy
                ? (at <= limit ? at : next.Low < limit ? limit : null)
                : (at >= limit ? at : next.High > limit ? limit : null),
            _ => null,
        };
        return price is { } p ? new BacktestFill(p, next.Start) : null;
    };

    /// <summary>
    /// Fills at the close of the bar that produced the intent, at its end: market always; a limit, stop or stop-limit only
    /// if that close satisfies it (a stop-limit: beyond its stop and within its limit). Optimistic (the strategy saw that
    /// close), useful as a bound.
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
            OrderType.StopLimit when intent.StopPrice is { } stop && intent.LimitPrice is { } limit =>
                buy ? close >= stop && close <= limit : close <= stop && close >= limit,
            _ => false,
        };
        return fills ? new BacktestFill(close, signal.End) : null;
    };

    /// <summary>Where a stop is reached in the bar: at the open if the open is already beyond it, else at the stop if the bar gets there.</summary>
    private static decimal? Triggered(bool buy, decimal stop, Bar bar) => buy
        ? (bar.Open >= stop ? bar.Open : bar.High >= stop ? stop : null)
        : (bar.Open <= stop ? bar.Open : bar.Low <= stop ? stop : null);
}
