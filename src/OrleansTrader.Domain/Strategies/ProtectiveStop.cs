using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// A GTC trailing stop kept on a strategy's open position in one symbol: the built-in strategies'
/// <c>trailingStopPercent</c>, and usable by a strategy of your own. It is placed once the strategy holds a position and
/// has no other order of the symbol open. Before the strategy changes that position itself, it withdraws the stop and
/// waits for the cancel: the stop holds the position's shares, and an exit sent beside it could sell them twice.
/// </summary>
public sealed class ProtectiveStop
{
    private readonly string _symbol;
    private readonly decimal? _trailPercent;

    // After a refusal the stop waits before it is sent again for the same position, 1 minute and then twice as long
    // each time up to an hour (in the context's time), so a refusal that repeats (a risk limit) is not sent bar after
    // bar, and one that passes (a halt that is lifted) does not leave the position unprotected. A new position resets it.
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromHours(1);
    private decimal? _placedFor;
    private decimal? _refusedFor;
    private int _refusals;
    private DateTimeOffset? _refusedAt;

    // A close the strategy asked for while the stop was open: sent once the stop's cancel is confirmed. Kept in the
    // snapshot: restored without it, the confirmed cancel read as a stop withdrawn for nothing, a new stop was placed and
    // the exit was lost.
    private string? _closeReason;

    // Restored with a close pending: the stop's cancel is asked for again at the next bar, since the one asked for before
    // the restart may never have gone (held while the account was HALTED, or its call failed).
    private bool _withdrawAgain;

    // While a close waits for the stop's cancel, the cancel is asked for again on a later bar, on the refusals' schedule
    // from the last ask: a cancel whose call failed (the account's call threw, the broker refused it) is not reported to
    // the strategy, and the exit waited for it until a restart. One asked for again while it is on its way is refused by
    // the account as already pending.
    private DateTimeOffset? _cancelAskedAt;
    private int _cancelAsksAgain;

    /// <param name="symbol">The symbol whose position the stop protects.</param>
    /// <param name="trailPercent">The trail, in percent (0 to 100, exclusive); null turns the stop off.</param>
    public ProtectiveStop(string symbol, decimal? trailPercent)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        if (trailPercent is <= 0m or >= 100m)
        {
            throw new ArgumentOutOfRangeException(nameof(trailPercent), trailPercent, $"Trail percent must be in (0, 100); got {trailPercent}.");
        }

        _symbol = symbol;
        _trailPercent = trailPercent;
    }

    /// <summary>The stop's client order id while it is open, null otherwise. Keep it in the strategy's snapshot.</summary>
    public string? OrderId { get; private set; }

    /// <summary>
    /// The reason of a close waiting for the stop's cancel (<see cref="ClosePosition"/>), null otherwise. Keep it in the
    /// strategy's snapshot with <see cref="OrderId"/>, as the built-in ones keep <c>ProtectiveStopCloseReason</c>.
    /// </summary>
    public string? PendingCloseReason => _closeReason;

    /// <summary>Takes the id back from a snapshot (before the strategy starts).</summary>
    public void Restore(string? orderId) => Restore(orderId, null);

    /// <summary>Takes the id and a close waiting for the stop's cancel back from a snapshot (before the strategy starts).</summary>
    public void Restore(string? orderId, string? pendingCloseReason)
    {
        OrderId = orderId;
        _closeReason = pendingCloseReason;
        _withdrawAgain = pendingCloseReason is not null;
    }

    /// <summary>Places the stop when there is a position, no stop yet and no other open order of the symbol.</summary>
    public void Place(IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Adopt(context);
        if (_withdrawAgain && _closeReason is { } pending && !context.IsWarmingUp)
        {
            ClosePosition(context, pending);
        }
        else if (_closeReason is { } waiting && OrderId is not null && !context.IsWarmingUp && CancelUnconfirmedFor(context.Now))
        {
            _cancelAsksAgain++;
            ClosePosition(context, waiting);
        }

        // On history every order is refused before it reaches the account; taken for a refusal, that held the stop of a
        // position the strategy started with back for a minute of live bars. It is asked for at the first live event.
        if (_trailPercent is not { } percent || OrderId is not null || context.IsWarmingUp || context.HasOpenOrder(_symbol))
        {
            return;
        }

        var quantity = context.GetPosition(_symbol).Quantity;
        if (quantity == 0m)
        {
            // The position is closed: the next one is new, even of the same size (a crossover's always is), and is not
            // held back by a refusal of this one's stop.
            ForgetRefusals();
            return;
        }

        if (WaitsAfterRefusal(quantity, context.Now))
        {
            return;
        }

        _placedFor = quantity;
        var isLong = quantity > 0m;
        OrderId = context.SubmitOrder(new OrderIntentRequest
        {
            Symbol = _symbol,
            Side = isLong ? OrderSide.Sell : OrderSide.Buy,
            Quantity = Math.Abs(quantity),
            Type = OrderType.TrailingStop,
            TrailPercent = percent,
            TimeInForce = TimeInForce.Gtc,
            Reason = StrategyGuard.Format($"protective stop: trails the {(isLong ? "long" : "short")} position by {percent}%"),
        }).ClientOrderId;
    }

    /// <summary>
    /// Takes on the strategy's open trailing stop of the symbol when the id was not kept: a snapshot discarded when the
    /// parameters were replaced, or a stop placed with the trail since turned off. Left unknown, it would keep every later
    /// order of the strategy waiting, since it counts as an open order of the symbol.
    /// </summary>
    private void Adopt(IStrategyContext context) =>
        OrderId ??= context.OpenOrders.FirstOrDefault(o => o.Type == OrderType.TrailingStop && string.Equals(o.Symbol, _symbol, StringComparison.Ordinal))?.ClientOrderId;

    private bool WaitsAfterRefusal(decimal quantity, DateTimeOffset now)
    {
        if (_refusedFor != quantity)
        {
            ForgetRefusals();
            return false;
        }

        // The wait runs from the first attempt after the refusal, in the context's time (event time, which a replay sets).
        _refusedAt ??= now;
        return now < _refusedAt.Value + RetryWait(_refusals - 1);
    }

    private bool CancelUnconfirmedFor(DateTimeOffset now) => _cancelAskedAt is { } asked && now >= asked + RetryWait(_cancelAsksAgain);

    /// <summary>
    /// The wait before a retry: a minute, twice as long after each earlier retry, an hour at most. The strategy host asks
    /// again on it for a cancel the account did not take.
    /// </summary>
    public static TimeSpan RetryWait(int retries) =>
        TimeSpan.FromTicks(Math.Min(LongestRetry.Ticks, FirstRetry.Ticks << Math.Min(retries, 20)));

    private void ForgetCancelAsks()
    {
        _cancelAskedAt = null;
        _cancelAsksAgain = 0;
    }

    private void ForgetRefusals()
    {
        _refusedFor = null;
        _refusals = 0;
        _refusedAt = null;
    }

    /// <summary>
    /// True when the strategy may send an order of its own for the symbol now. Otherwise the stop is open: its cancel is
    /// asked for, and <see cref="Observe"/> reports <see cref="ProtectiveStopOutcome.Withdrawn"/> once it is gone.
    /// </summary>
    public bool Withdraw(IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Adopt(context);
        if (OrderId is null)
        {
            return true;
        }

        if (context.CancelOrder(OrderId))
        {
            return false;
        }

        // The context no longer has it open (it ended while the strategy was not told, e.g. across a restart).
        OrderId = null;
        ForgetCancelAsks();
        return true;
    }

    /// <summary>
    /// Closes the whole position with a market order: at once when the stop is not open, else once its cancel is
    /// confirmed (<see cref="Resume"/>). Nothing when flat, or while another order of the symbol is open.
    /// </summary>
    public void ClosePosition(IStrategyContext context, string reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _withdrawAgain = false;
        var quantity = context.GetPosition(_symbol).Quantity;
        if (quantity == 0m)
        {
            _closeReason = null;
            ForgetCancelAsks();
            return;
        }

        if (!Withdraw(context))
        {
            _closeReason = reason;
            _cancelAskedAt = context.Now;
            return;
        }

        if (context.HasOpenOrder(_symbol))
        {
            return;
        }

        _closeReason = null;
        context.SubmitOrder(new OrderIntentRequest
        {
            Symbol = _symbol,
            Side = quantity > 0m ? OrderSide.Sell : OrderSide.Buy,
            Quantity = Math.Abs(quantity),
            Reason = reason,
        });
    }

    /// <summary>After an order of the strategy ended: sends a close that waited for the stop, else protects the position.</summary>
    public void Resume(IStrategyContext context)
    {
        if (_closeReason is { } reason)
        {
            ClosePosition(context, reason);
        }

        Place(context);
    }

    /// <summary>True when the execution is a fill of the open stop.</summary>
    public bool IsFillOf(Execution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return OrderId is not null && string.Equals(execution.ClientOrderId, OrderId, StringComparison.Ordinal);
    }

    /// <summary>Follows the updates of the strategy's orders; says what became of the stop when the update ends it.</summary>
    public ProtectiveStopOutcome Observe(StrategyOrderUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (OrderId is null || !update.IsFinal || !string.Equals(update.ClientOrderId, OrderId, StringComparison.Ordinal))
        {
            return ProtectiveStopOutcome.None;
        }

        OrderId = null;
        ForgetCancelAsks();
        if (update.Status is OrderStatus.Rejected or OrderStatus.Denied)
        {
            _refusedFor = _placedFor;
            _refusals++;
            _refusedAt = null;
            return ProtectiveStopOutcome.Refused;
        }

        _refusedFor = null;
        _refusals = 0;
        return update.Status == OrderStatus.Filled ? ProtectiveStopOutcome.Filled : ProtectiveStopOutcome.Withdrawn;
    }
}

/// <summary>What an order update meant for a <see cref="ProtectiveStop"/>.</summary>
public enum ProtectiveStopOutcome
{
    /// <summary>The update is not about the stop, or the stop is still open.</summary>
    None,

    /// <summary>The stop filled: the position it protected is closed.</summary>
    Filled,

    /// <summary>The stop ended unfilled or partly filled (canceled, expired): the strategy may act on the position now.</summary>
    Withdrawn,

    /// <summary>
    /// The account or the venue refused the stop. It is sent again for the same position after a wait (a minute, doubling
    /// up to an hour), or at once for a new position.
    /// </summary>
    Refused,
}
