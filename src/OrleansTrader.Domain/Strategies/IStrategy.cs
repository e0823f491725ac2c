using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// A trading strategy. The host (a strategy grain, or the backtester) calls <see cref="Restore"/> first when it has a
/// snapshot, then <see cref="OnStart"/>, then the market and order callbacks in event order, then <see cref="OnStop"/>.
/// Strategies are deterministic: the same events and context produce the same intents, so backtests replay exactly.
/// They read time only from <see cref="IStrategyContext.Now"/> and act only through
/// <see cref="IStrategyContext.SubmitOrder"/>.
/// </summary>
public interface IStrategy
{
    /// <summary>The catalog kind name, e.g. "sma-crossover".</summary>
    string Kind { get; }

    /// <summary>
    /// How many completed bars per symbol the strategy needs before the next bar can produce a signal (an SMA crossover:
    /// its slow period). A host that has history feeds up to this many before live data, with
    /// <see cref="IStrategyContext.IsWarmingUp"/> set and every order refused, so a new strategy does not wait that
    /// long on live bars. 0: no warm-up.
    /// </summary>
    int WarmUpBars => 0;

    void OnStart(IStrategyContext context);

    void OnBar(Bar bar);

    void OnQuote(QuoteTick quote);

    void OnTrade(TradeTick trade);

    void OnFill(Execution execution);

    void OnOrderUpdate(StrategyOrderUpdate update);

    void OnStop();

    /// <summary>Everything the strategy needs to resume after a restart as if it had never stopped.</summary>
    StrategyState GetState();

    /// <summary>Resumes from a snapshot of the same kind and parameters. Call before <see cref="OnStart"/>.</summary>
    void Restore(StrategyState state);
}
