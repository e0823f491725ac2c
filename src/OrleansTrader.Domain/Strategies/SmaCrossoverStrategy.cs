using OrleansTrader.Domain.Indicators;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// Moving-average crossover on bar closes. A golden cross (fast SMA moves above the slow one) sets the target
/// position to +quantity; a death cross sets it to 0, or to -quantity when shorting is allowed. On every bar, while
/// the position differs from the target and no order for the symbol is open, it submits one market order for the
/// difference. A rejected or denied order clears the target until the next cross, so a refusal is not retried
/// bar after bar. With <c>trailingStopPercent</c> a <see cref="ProtectiveStop"/> trails every position; a cross withdraws
/// it before moving to the new target, and when it fills the strategy stays flat until the next cross.
/// </summary>
public sealed class SmaCrossoverStrategy : IStrategy
{
    private SimpleMovingAverage _fast;
    private SimpleMovingAverage _slow;
    private int? _previousRelation;
    private decimal? _target;
    private string? _targetReason;
    private IStrategyContext? _context;
    private readonly ProtectiveStop _stop;

    public SmaCrossoverStrategy(SmaCrossoverParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.EnsureValid(StrategyKinds.SmaCrossover);
        Parameters = parameters;
        _stop = new ProtectiveStop(parameters.Symbol, parameters.TrailingStopPercent);
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
        _stop.Place(context);
    }

    public void OnQuote(QuoteTick quote)
    {
    }

    public void OnTrade(TradeTick trade)
    {
    }

    public void OnFill(Execution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);

        // Stopped out of the position the target asked for: stay out until the next cross instead of buying straight back.
        // (A stop that fills while a cross is withdrawing it leaves the new target, on the other side, in place.)
        if (_stop.IsFillOf(execution) && _target is { } target && target != 0m && (target > 0m) == (execution.Side == OrderSide.Sell))
        {
            _target = null;
            _targetReason = null;
        }
    }

    public void OnOrderUpdate(StrategyOrderUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (_stop.Observe(update) == ProtectiveStopOutcome.None && update.Status is OrderStatus.Rejected or OrderStatus.Denied)
        {
            _target = null;
            _targetReason = null;
        }

        // An order of the strategy ended: go on to the target (a withdrawn stop was in the way), then protect the position.
        if (update.IsFinal && _context is { } context)
        {
            MoveToTarget(context);
            _stop.Place(context);
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
        ProtectiveStopId = _stop.OrderId,
        ProtectiveStopCloseReason = _stop.PendingCloseReason,
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
        _stop.Restore(snapshot.ProtectiveStopId, snapshot.ProtectiveStopCloseReason);
    }

    private void MoveToTarget(IStrategyContext context)
    {
        if (_target is not { } target)
        {
            return;
        }

        var difference = target - context.GetPosition(Parameters.Symbol).Quantity;
        if (difference == 0m || !_stop.Withdraw(context) || context.HasOpenOrder(Parameters.Symbol))
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
