using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

/// <summary>
/// Drives a strategy bar by bar like a host would. By default every intent fills at once at the bar's close, so
/// the next bar sees the new position; tests can hold orders open instead and settle them later.
/// </summary>
internal sealed class StrategyHarness
{
    public static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    public StrategyHarness(IStrategy strategy, string symbol = "SPY", long nextSequence = 1, string strategyId = "strat")
    {
        Strategy = strategy;
        Symbol = symbol;
        Context = new StrategyContext(strategyId, [symbol], T0, nextSequence);
        strategy.OnStart(Context);
    }

    public IStrategy Strategy { get; }

    public string Symbol { get; }

    public StrategyContext Context { get; }

    public bool AutoFill { get; set; } = true;

    public List<(int Bar, OrderIntent Intent)> Intents { get; } = [];

    public int BarsSeen { get; private set; }

    public static Bar BarAt(int index, decimal close, string symbol = "SPY") =>
        new(symbol, T0.AddMinutes(index), TimeSpan.FromMinutes(1), close, close, close, close, 1_000m);

    public void Feed(IEnumerable<decimal> closes)
    {
        foreach (var close in closes)
        {
            Feed(close);
        }
    }

    public IReadOnlyList<OrderIntent> Feed(decimal close)
    {
        var bar = BarAt(BarsSeen, close, Symbol);
        Context.AdvanceTo(bar.End);
        Strategy.OnBar(bar);
        var intents = Context.DrainIntents();
        foreach (var intent in intents)
        {
            Intents.Add((BarsSeen, intent));
            if (AutoFill)
            {
                Fill(intent, close);
            }
        }

        BarsSeen++;
        return intents;
    }

    public void Fill(OrderIntent intent, decimal price)
    {
        var position = Context.GetPosition(intent.Symbol);
        var signed = intent.Side == OrderSide.Buy ? intent.Quantity : -intent.Quantity;
        var quantity = position.Quantity + signed;
        Context.SetPosition(intent.Symbol, quantity, quantity == 0m ? 0m : price);
        Settle(intent, OrderStatus.Filled, intent.Quantity);
    }

    public void Settle(OrderIntent intent, OrderStatus status, decimal filled = 0m)
    {
        var update = new StrategyOrderUpdate
        {
            ClientOrderId = intent.ClientOrderId,
            Status = status,
            FilledQuantity = filled,
            Timestamp = Context.Now,
        };
        Context.ApplyOrderUpdate(update);
        Strategy.OnOrderUpdate(update);
    }

    public IEnumerable<(int Bar, OrderSide Side, decimal Quantity)> Summary() =>
        Intents.Select(i => (i.Bar, i.Intent.Side, i.Intent.Quantity));
}
