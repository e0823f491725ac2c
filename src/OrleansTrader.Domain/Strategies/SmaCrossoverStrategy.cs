using OrleansTrader.Domain.Indicators;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// Moving-average crossover on bar closes. A golden cross (fast SMA moves above the slow one) sets the target
/// position to +quantity; a death cross sets it to 0, or to -quantity when shorting is allowed. On every bar, while
/// the position differs from the target and no order for the symbol is open, it submits one market order for the
/// difference. A rejected or denied order clears the target until the next cross, so a refusal is not retried
/// bar after bar.
/// </summary>
public sealed class SmaCrossoverStrategy : IStrategy
{
    private SimpleMovingAverage _fast;
    private SimpleMovingAverage _slow;
    private int? _previousRelation;
    private decimal? _target;
    private string? _targetReason;
    private IStrategyContext? _context;

    public SmaCrossoverStrategy(SmaCrossoverParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.EnsureValid(StrategyKinds.SmaCrossover);
        Parameters = parameters;
        _fast = new SimpleMovingAverage(parameters.FastPeriod);
        _slow = new SimpleMovingAverage(parameters.SlowPeriod);
    }

    public string Kind => StrategyKinds.SmaCrossover;

    /// <summary>Bars for the slow average, and with it the relation the next bar is compared with.</summary>
    public int WarmUpBars => Parameters.SlowPeriod;

    public SmaCrossoverParameters Parameters { get; }

    public void OnStart(IStrategyContext context)
    {
        StrategyGuard.Attach(context, Parameters);
        context.RegisterIndicator("fast", _fast);
        context.RegisterIndicator("slow", _slow);
        _context = context;
    }

    public void OnBar(Bar bar)
    {
        ArgumentNullException.ThrowIfNull(bar);
        var context = StrategyGuard.Started(_context, Kind);
        if (!string.Equals(bar.Symbol, Parameters.Symbol, StringComparison.Ordinal))
        {
            return;
        }

        var fastValue = _fast.Update(bar.Close);
        var slowValue = _slow.Update(bar.Close);
        if (fastValue is { } fast && slowValue is { } slow)
        {
            var relation = Math.Sign(fast - slow);
            if (relation > 0 && _previousRelation <= 0)
            {
                _target = Parameters.Quantity;
                _targetReason = StrategyGuard.Format($"golden cross: SMA({Parameters.FastPeriod}) {fast:0.####} > SMA({Parameters.SlowPeriod}) {slow:0.####}");
            }
            else if (relation < 0 && _previousRelation >= 0)
            {
                _target = Parameters.AllowShort ? -Parameters.Quantity : 0m;
                _targetReason = StrategyGuard.Format($"death cross: SMA({Parameters.FastPeriod}) {fast:0.####} < SMA({Parameters.SlowPeriod}) {slow:0.####}");
            }

            _previousRelation = relation;
        }

        MoveToTarget(context);
    }

    public void OnQuote(QuoteTick quote)
    {
    }

    public void OnTrade(TradeTick trade)
    {
    }

    public void OnFill(Execution execution)
    {
    }

    public void OnOrderUpdate(StrategyOrderUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Status is OrderStatus.Rejected or OrderStatus.Denied)
        {
            _target = null;
            _targetReason = null;
        }
    }

    public void OnStop() => _context = null;

    public StrategyState GetState() => new SmaCrossoverState
    {
        Fast = _fast.GetState(),
        Slow = _slow.GetState(),
        PreviousRelation = _previousRelation,
        Target = _target,
        TargetReason = _targetReason,
    };

    public void Restore(StrategyState state)
    {
        StrategyGuard.NotStarted(_context, Kind);
        var snapshot = StrategyGuard.StateOf<SmaCrossoverState>(state, Kind);
        StrategyGuard.SamePeriod(Parameters.FastPeriod, snapshot.Fast.Period, "fastPeriod");
        StrategyGuard.SamePeriod(Parameters.SlowPeriod, snapshot.Slow.Period, "slowPeriod");
        _fast = SimpleMovingAverage.FromState(snapshot.Fast);
        _slow = SimpleMovingAverage.FromState(snapshot.Slow);
        _previousRelation = snapshot.PreviousRelation;
        _target = snapshot.Target;
        _targetReason = snapshot.TargetReason;
    }

    private void MoveToTarget(IStrategyContext context)
    {
        if (_target is not { } target || context.HasOpenOrder(Parameters.Symbol))
        {
            return;
        }

        var difference = target - context.GetPosition(Parameters.Symbol).Quantity;
        if (difference == 0m)
        {
            return;
        }

        context.SubmitOrder(new OrderIntentRequest
        {
            Symbol = Parameters.Symbol,
            Side = difference > 0m ? OrderSide.Buy : OrderSide.Sell,
            Quantity = Math.Abs(difference),
            Reason = _targetReason ?? "crossover target",
        });
    }
}
