using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

// The example of docs/strategies.md, compiled and tested here so the document cannot drift from working code.

/// <summary>Buys when a close breaks above the highest of the previous closes, sells when one breaks below the lowest.</summary>
public sealed class ChannelBreakoutStrategy(decimal quantity, int lookback) : StrategyBase
{
    public static readonly StrategyDefinition Definition = new()
    {
        Kind = "channel-breakout",
        ParameterNames = ["quantity", "lookback"],
        MaxSymbols = 10,
        StateType = typeof(ChannelBreakoutState),
        Create = setup =>
        {
            var quantity = setup.RequiredDecimal("quantity");
            if (quantity <= 0m)
            {
                setup.Invalid("quantity", "must be more than 0");
            }

            var lookback = setup.Int("lookback", 20);
            if (lookback < 2)
            {
                setup.Invalid("lookback", "must be at least 2");
            }

            return new ChannelBreakoutStrategy(quantity, lookback);
        },
    };

    private readonly Dictionary<string, Queue<decimal>> _closes = new(StringComparer.Ordinal);

    public override string Kind => Definition.Kind;

    // The closes the next bar is compared with: a fresh start is fed that many bars from history first.
    public override int WarmUpBars => lookback;

    public override void OnBar(Bar bar)
    {
        var context = Context;
        var closes = _closes.TryGetValue(bar.Symbol, out var kept) ? kept : _closes[bar.Symbol] = new Queue<decimal>();
        if (closes.Count == lookback && !context.HasOpenOrder(bar.Symbol))
        {
            var held = context.GetPosition(bar.Symbol).Quantity;
            if (held == 0m && bar.Close > closes.Max())
            {
                context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = quantity, Reason = $"close {bar.Close} above {closes.Max()}" });
            }
            else if (held > 0m && bar.Close < closes.Min())
            {
                context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Sell, Quantity = held, Reason = $"close {bar.Close} below {closes.Min()}" });
            }
        }

        closes.Enqueue(bar.Close);
        if (closes.Count > lookback)
        {
            closes.Dequeue();
        }
    }

    public override StrategyState GetState() => new ChannelBreakoutState
    {
        Closes = _closes.ToDictionary(p => p.Key, p => p.Value.ToList(), StringComparer.Ordinal),
    };

    public override void Restore(StrategyState state)
    {
        _closes.Clear();
        foreach (var (symbol, closes) in ((ChannelBreakoutState)state).Closes)
        {
            _closes[symbol] = new Queue<decimal>(closes);
        }
    }
}

/// <summary>What the strategy needs after a restart: each symbol's recent closes.</summary>
public sealed record ChannelBreakoutState : StrategyState
{
    public Dictionary<string, List<decimal>> Closes { get; init; } = [];
}
