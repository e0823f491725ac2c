using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Hosting;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// A built-in kind's quantity the account refuses in one of its symbols (1.5 shares of a stock that trades whole shares):
/// accepted, the strategy had every order it sent denied, journaled and counted as FRACTIONAL_NOT_ALLOWED, and a backtest
/// filled orders no account takes. The account's own rules decide, for a market DAY order as the strategy sends.
/// </summary>
internal static class StrategyQuantityCheck
{
    /// <summary>
    /// Why the quantity cannot be ordered, naming the parameter; null when every symbol takes it, for a kind without one, or
    /// for a symbol whose instrument is unknown here (the account then refuses the orders as an unknown symbol).
    /// </summary>
    public static string? Refusal(TradingEnvironment environment, string kind, IReadOnlyList<string> symbols, IReadOnlyDictionary<string, string> parameters)
    {
        if (StrategyCatalog.OrderQuantity(kind, parameters) is not { } quantity)
        {
            return null;
        }

        foreach (var symbol in symbols)
        {
            var order = new OrderRequest { ClientOrderId = "quantity-check", Symbol = symbol, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = quantity };
            if (environment.Find(symbol) is { } instrument && OrderValidator.ValidateQuantity(order, instrument) is [var refused, ..])
            {
                return $"Invalid parameters for strategy '{kind}': quantity: {quantity} cannot be ordered in {symbol}, "
                    + $"the account refuses it as {refused.Code} ({refused.Message})";
            }
        }

        return null;
    }
}
