using OrleansTrader.Domain.Indicators;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>What a strategy sees of the world and its one way to act on it. The host keeps it current.</summary>
public interface IStrategyContext
{
    string StrategyId { get; }

    /// <summary>The current time as the host says it is (event time in a backtest); never a clock read.</summary>
    DateTimeOffset Now { get; }

    IReadOnlyList<string> Symbols { get; }

    /// <summary>
    /// True while the host replays history to prime the strategy (see <see cref="IStrategy.WarmUpBars"/>). Orders
    /// submitted meanwhile are never sent: each comes back as Denied, as any refusal does.
    /// </summary>
    bool IsWarmingUp { get; }

    /// <summary>Orders this strategy submitted that are not yet in a final state, including ones just submitted.</summary>
    IReadOnlyList<StrategyOrderView> OpenOrders { get; }

    IReadOnlyDictionary<string, IIndicator> Indicators { get; }

    /// <summary>The strategy's position in <paramref name="symbol"/>; quantity 0 when flat.</summary>
    StrategyPosition GetPosition(string symbol);

    bool HasOpenOrder(string symbol);

    void RegisterIndicator(string name, IIndicator indicator);

    /// <summary>
    /// Emits an order intent. Its client order id is "{StrategyId}-{sequence}" from the context's sequence, so a
    /// replay of the same events produces the same ids. The order is open (PendingNew) from this moment on.
    /// </summary>
    OrderIntent SubmitOrder(OrderIntentRequest request);

    /// <summary>
    /// Asks for the cancel of one of this strategy's open orders; false when it has no open order with that id (unknown,
    /// or final already). The order stays open until the host reports it Canceled, and may still fill meanwhile.
    /// </summary>
    bool CancelOrder(string clientOrderId);
}
