using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// A starting point for a strategy of your own (docs/strategies.md): it keeps the context it was started with and ignores
/// every event you do not override. You give the kind, the snapshot and the restore.
/// </summary>
public abstract class StrategyBase : IStrategy
{
    private IStrategyContext? _context;

    public abstract string Kind { get; }

    /// <summary>Override with the bars your signals need before they can fire (docs/strategies.md, "Warm-up"); 0 by default.</summary>
    public virtual int WarmUpBars => 0;

    /// <summary>The context the host started the strategy with: time, symbols, positions, open orders, order submission.</summary>
    protected IStrategyContext Context => _context ?? throw new InvalidOperationException($"Strategy {Kind} has not been started.");

    public void OnStart(IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        OnStarted();
    }

    public virtual void OnBar(Bar bar)
    {
    }

    public virtual void OnQuote(QuoteTick quote)
    {
    }

    public virtual void OnTrade(TradeTick trade)
    {
    }

    public virtual void OnFill(Execution execution)
    {
    }

    public virtual void OnOrderUpdate(StrategyOrderUpdate update)
    {
    }

    public virtual void OnStop()
    {
    }

    public abstract StrategyState GetState();

    public abstract void Restore(StrategyState state);

    /// <summary>After <see cref="Context"/> is set (and after <see cref="Restore"/>, when there was a snapshot).</summary>
    protected virtual void OnStarted()
    {
    }
}
