using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Statistics;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Backtesting;

/// <summary>
/// Runs a strategy over bars, deterministically and without I/O. For each bar, in order of start time: fills due by
/// the bar's start are applied (position via <see cref="Position"/>, the single P&amp;L implementation; cash moves
/// by price × quantity and fee), the context's clock moves to the bar's end, the strategy sees the bar, resting orders of
/// its symbol and then its new intents go through the fill policy, fills due by the bar's end are applied, and equity is
/// marked at the last closes. Limit, stop, stop-limit and trailing-stop orders (DAY or GTC) rest until a bar reaches them,
/// as at a venue; a DAY order until <see cref="OrderExpiry"/>'s close of <see cref="BacktestOptions.Calendar"/>, as at the paper exchange. A trailing stop's water mark starts at its signal bar's close (the order did not exist earlier in that bar)
/// and moves with the high (sell) or low (buy) of each later bar before that bar is evaluated, since that extreme came first.
/// An order for another symbol than its bar's meets that symbol's own bars (a multi-symbol strategy's pair trade); when that
/// symbol's latest bar ended before the order was sent, its close is stale and does not fill it, and a DAY order's session
/// is the one it was sent in.
/// A strategy's orders are for the regular session only (it cannot ask for extended hours), as at the paper exchange and
/// Alpaca: the strategy sees every bar, and equity is marked at every bar, but only bars overlapping the calendar's regular
/// session fill orders; a market DAY or GTC order sent outside it waits for the next session's first bar.
/// There are no risk checks here (the account does those); cash may go negative. Only an order above the most an order may
/// have (<see cref="Instrument.DefaultMaxQuantity"/>) is rejected, as the account rejects it.
/// </summary>
public static class Backtester
{
    public static BacktestResult Run(IStrategy strategy, IReadOnlyList<Bar> bars, BacktestOptions options)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(options);
        if (bars.Count == 0)
        {
            throw new ArgumentException("A backtest needs at least one bar.", nameof(bars));
        }

        // 10,000 bps (100%) would fill a sell at 0, which no position can take: the bound is exclusive.
        if (options.SlippageBps is < 0m or >= 10_000m)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SlippageBps, $"SlippageBps must be in [0, 10000); got {options.SlippageBps}.");
        }

        for (var i = 1; i < bars.Count; i++)
        {
            if (bars[i].Start < bars[i - 1].Start)
            {
                throw new ArgumentException($"Bars must be ordered by start time; bar {i} ({bars[i].Start:O}) precedes bar {i - 1}.", nameof(bars));
            }
        }

        return new BacktestRun(strategy, bars, options).Execute();
    }

    private sealed class BacktestRun(IStrategy strategy, IReadOnlyList<Bar> bars, BacktestOptions options)
    {
        private readonly List<OrderIntent> _intents = [];
        private readonly List<Execution> _executions = [];
        private readonly List<StrategyOrderUpdate> _updates = [];
        private readonly List<EquityPoint> _equity = [];
        private readonly List<RoundTripTrade> _roundTrips = [];
        private readonly Dictionary<string, Position> _positions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, OpenRoundTrip> _openRoundTrips = new(StringComparer.Ordinal);
        private readonly Dictionary<string, decimal> _marks = new(StringComparer.Ordinal);
        private readonly PriorityQueue<Pending, (DateTimeOffset, long)> _due = new();

        // Limit, stop, stop-limit and trailing-stop orders the fill policy did not fill at once, and market orders waiting for the
        // session, per symbol, until they fill or expire.
        private readonly Dictionary<string, List<Resting>> _resting = new(StringComparer.Ordinal);
        private readonly StrategyContext _context = new(
            options.StrategyId,
            bars.Select(b => b.Symbol),
            bars[0].Start);

        private decimal _cash = options.InitialCash;
        private decimal _fees;

        public BacktestResult Execute()
        {
            strategy.OnStart(_context);
            // The curve starts from the initial cash, so a first bar that trades (its fee, its close against the fill) counts
            // in the return and the drawdown, which then agree with the net P&L.
            _equity.Add(new EquityPoint(bars[0].Start, options.InitialCash));
            for (var i = 0; i < bars.Count; i++)
            {
                var bar = bars[i];
                ApplyDue(bar.Start);
                _context.AdvanceTo(Max(_context.Now, bar.End));
                _marks[bar.Symbol] = bar.Close;
                strategy.OnBar(bar);
                Route(i);
                ApplyDue(bar.End);
                RouteFillReplies(i);
                ApplyDue(bar.End);
                Mark(bar.End);
            }

            strategy.OnStop();
            return new BacktestResult
            {
                Intents = _intents,
                Executions = _executions,
                OrderUpdates = _updates,
                EquityCurve = _equity,
                RoundTrips = _roundTrips,
                OpenRoundTrips = [.. _openRoundTrips.Values],
                Positions = _positions,
                Cash = _cash,
                TotalFees = _fees,
                FinalState = strategy.GetState(),
            };
        }

        private void Route(int barIndex)
        {
            var bar = bars[barIndex];
            var submitted = DrainSubmitted(bar.End);
            RouteResting(bar, NextBar(barIndex));
            RouteSubmitted(barIndex, submitted);
        }

        /// <summary>
        /// Orders the strategy sent on fills applied at this bar's end (a protective stop on the entry that fills at the next
        /// bar's open) were sent when this bar ended, as those it sent from <c>OnBar</c>: this bar is their signal bar, so
        /// they work through the next bar, which the position is held in. They used to wait for the next bar's own orders,
        /// and the next bar's range went unguarded. Once per bar: what their own fills at this bar's end send waits for the
        /// next bar, so a strategy that orders on every fill cannot loop.
        /// </summary>
        private void RouteFillReplies(int barIndex)
        {
            var submitted = DrainSubmitted(bars[barIndex].End);
            if (submitted.Count > 0)
            {
                RouteSubmitted(barIndex, submitted);
            }
        }

        /// <summary>The orders the strategy sent since the last drain, its cancels applied (and the orders it sent in reply to those).</summary>
        private List<OrderIntent> DrainSubmitted(DateTimeOffset at)
        {
            var submitted = _context.DrainIntents().ToList();
            _intents.AddRange(submitted);
            Cancel(at, submitted);

            // Orders sent in reply to a confirmed cancel go out in this bar too.
            var replies = _context.DrainIntents();
            _intents.AddRange(replies);
            submitted.AddRange(replies);
            return submitted;
        }

        private void RouteSubmitted(int barIndex, List<OrderIntent> submitted)
        {
            var bar = bars[barIndex];
            var next = NextBar(barIndex);
            foreach (var intent in submitted)
            {
                // The account refuses it (QUANTITY_INVALID); filled here, a quantity near a decimal's maximum overflowed the
                // position's cost and ended the run with an OverflowException.
                if (intent.Quantity > Instrument.DefaultMaxQuantity)
                {
                    _due.Enqueue(
                        new Pending(intent, null, OrderStatus.Rejected,
                            $"quantity {intent.Quantity} is above the {Instrument.DefaultMaxQuantity} an order may have (QUANTITY_INVALID at the account)"),
                        (bar.End, intent.Sequence));
                    continue;
                }

                // A multi-symbol strategy may order another symbol than the bar's: that order meets its own symbol's bars.
                var (signal, following) = string.Equals(intent.Symbol, bar.Symbol, StringComparison.Ordinal) ? (bar, next) : BarsOf(intent.Symbol, barIndex);
                if (signal is null)
                {
                    _due.Enqueue(new Pending(intent, null, Reason: $"no bar of {intent.Symbol} had ended when it was sent"), (bar.End, intent.Sequence));
                    continue;
                }

                // A trailing stop starts from the last price the strategy saw; the signal bar's earlier extremes predate it.
                var mark = intent.Type == OrderType.TrailingStop ? signal.Close : (decimal?)null;
                // Sent when this bar ended. Another symbol's signal bar may have ended earlier (it did not trade since): its
                // close is stale, no longer to be had, and its session is not the order's.
                var sentAt = bar.End;
                var stale = signal.End < sentAt;
                // A DAY order that would rest cannot fill on a next bar that opens after its session's close (as when it rests).
                if (Rests(intent) && following is not null && ExpiryOf(intent.TimeInForce, sentAt) is { } close && following.Start >= close)
                {
                    following = null;
                }

                var fill = FillInSession(AsEvaluated(intent, mark), signal, following, signalFills: !stale);
                var closed = fill is null && (!InSession(signal) || (following is not null && !InSession(following)));
                // A market order the session kept from filling waits for the open, as the paper exchange keeps it working; one
                // the stale signal bar could not fill waits for its symbol's next bar.
                var waits = closed || (stale && following is not null);
                if (fill is null && (Rests(intent) || (waits && intent.Type == OrderType.Market && intent.TimeInForce is TimeInForce.Day or TimeInForce.Gtc)))
                {
                    Rest(intent, signal, mark, sentAt);
                    continue;
                }

                var at = fill?.Timestamp ?? bar.End;
                _due.Enqueue(
                    closed ? new Pending(intent, null, Reason: "the market was closed (regular hours only)")
                    : fill is null && stale
                        ? new Pending(intent, null, Reason: $"not filled under the backtest's fill policy; {intent.Symbol}'s last bar ended at {signal.End:O}, before it was sent")
                    : new Pending(intent, fill),
                    (at, intent.Sequence));
            }
        }

        /// <summary>
        /// The resting orders of the bar's symbol meet this bar as their signal bar, as a strategy's order resting at a venue
        /// would: each is evaluated against each later bar once. A DAY order expires at the first bar that starts at or after
        /// its session's close (the calendar's, in exchange time: not the UTC date, which ends at 19:00 or 20:00 in New York).
        /// </summary>
        private void RouteResting(Bar bar, Bar? next)
        {
            if (!_resting.TryGetValue(bar.Symbol, out var resting) || resting.Count == 0)
            {
                return;
            }

            // One pass that keeps, in place and in order, what neither expires nor fills (a trailing stop with its new mark).
            var kept = 0;
            for (var i = 0; i < resting.Count; i++)
            {
                var order = resting[i];
                if (bar.End <= order.SignalEnd)
                {
                    // Rested on this bar or an earlier one as its signal bar (an order sent on another symbol's bar): already evaluated.
                    resting[kept++] = order;
                    continue;
                }

                if (order.ExpiresAt is { } expiry && bar.Start >= expiry)
                {
                    _due.Enqueue(new Pending(order.Intent, null, OrderStatus.Expired, "a DAY order, not filled by the end of its day"), (bar.Start, order.Intent.Sequence));
                    continue;
                }

                // The bar's extreme came before its close and before the next bar: move a trailing stop's mark first
                // (only in the session: the paper exchange does not evaluate the order outside it).
                var current = order.Mark is { } mark && InSession(bar)
                    ? order with { Mark = order.Intent.Side == OrderSide.Sell ? Math.Max(mark, bar.High) : Math.Min(mark, bar.Low) }
                    : order;
                // A DAY order's session closes before a bar that opens at or after the close: that bar cannot fill it (it expires there instead).
                var reachable = order.ExpiresAt is { } close && next is not null && next.Start >= close ? null : next;
                if (FillInSession(AsEvaluated(current.Intent, current.Mark), bar, reachable) is { } fill)
                {
                    _due.Enqueue(new Pending(order.Intent, fill), (fill.Timestamp, order.Intent.Sequence));
                    continue;
                }

                resting[kept++] = current;
            }

            resting.RemoveRange(kept, resting.Count - kept);
        }

        /// <summary>
        /// What the fill policy sees: a trailing stop as a plain stop at its current level (from the water mark), so both
        /// policies fill it as they fill a stop; any other order as it is.
        /// </summary>
        private static OrderIntent AsEvaluated(OrderIntent intent, decimal? mark)
        {
            if (intent.Type != OrderType.TrailingStop || mark is not { } m)
            {
                return intent;
            }

            var level = TrailingStops.Level(intent.Side, m, intent.TrailPrice, intent.TrailPercent)
                ?? throw new InvalidOperationException($"The trailing stop {intent.ClientOrderId} has neither a trail price nor a trail percent.");
            return intent with { Type = OrderType.Stop, StopPrice = TrailingStops.OnTick(intent.Side, level), TrailPrice = null, TrailPercent = null };
        }

        /// <summary>
        /// The strategy's cancels, confirmed at the end of the bar it asked on: a resting order, one it submitted in this
        /// same bar (which then never meets a bar), or one whose fill is scheduled after that (a market order waiting for
        /// its symbol's next open, which for a thinly traded symbol may be many bars away), as a venue cancels an order
        /// not yet executed. A fill at or before the cancel's time stands, as an order a venue has executed does; an
        /// unknown or final order is ignored. Confirmed at once rather than queued, as a venue confirms a cancel
        /// within the bar: an order the strategy sends in reply (an exit that waited for its stop's cancel) has this bar as
        /// its signal bar.
        /// </summary>
        private void Cancel(DateTimeOffset at, List<OrderIntent> submitted)
        {
            foreach (var clientOrderId in _context.DrainCancels())
            {
                if ((TakeResting(clientOrderId) ?? Take(submitted, clientOrderId) ?? TakeDueAfter(clientOrderId, at)) is { } canceled)
                {
                    Update(new StrategyOrderUpdate
                    {
                        ClientOrderId = canceled.ClientOrderId,
                        Status = OrderStatus.Canceled,
                        Timestamp = at,
                        Message = "canceled by the strategy",
                    });
                }
            }
        }

        private OrderIntent? TakeResting(string clientOrderId)
        {
            foreach (var resting in _resting.Values)
            {
                var index = resting.FindIndex(r => string.Equals(r.Intent.ClientOrderId, clientOrderId, StringComparison.Ordinal));
                if (index >= 0)
                {
                    var intent = resting[index].Intent;
                    resting.RemoveAt(index);
                    return intent;
                }
            }

            return null;
        }

        /// <summary>An order whose fill (or end) is queued for after <paramref name="at"/>: not executed yet, so still cancelable.</summary>
        private OrderIntent? TakeDueAfter(string clientOrderId, DateTimeOffset at)
        {
            foreach (var (pending, key) in _due.UnorderedItems)
            {
                if (key.Item1 > at && string.Equals(pending.Intent.ClientOrderId, clientOrderId, StringComparison.Ordinal))
                {
                    _due.Remove(pending, out _, out _, ReferenceEqualityComparer.Instance);
                    return pending.Intent;
                }
            }

            return null;
        }

        private static OrderIntent? Take(List<OrderIntent> intents, string clientOrderId)
        {
            var index = intents.FindIndex(i => string.Equals(i.ClientOrderId, clientOrderId, StringComparison.Ordinal));
            if (index < 0)
            {
                return null;
            }

            var intent = intents[index];
            intents.RemoveAt(index);
            return intent;
        }

        /// <summary>
        /// The policy's fill on regular-session bars only: a next bar outside the session is not offered to it, and a fill it
        /// would make on a signal bar outside the session (at that bar's close, as with no next bar) is refused, as is one on
        /// a signal bar that ended before the order was sent (<paramref name="signalFills"/> false).
        /// </summary>
        private BacktestFill? FillInSession(OrderIntent intent, Bar signal, Bar? next, bool signalFills = true)
        {
            var reachable = next is not null && InSession(next) ? next : null;
            if (signalFills && InSession(signal))
            {
                return Fill(intent, signal, reachable);
            }

            return reachable is null || Fill(intent, signal, null) is not null ? null : Fill(intent, signal, reachable);
        }

        /// <summary>
        /// Whether a bar overlaps the calendar's regular session, where a strategy's orders may fill: a minute bar of the
        /// pre-market or after-hours does not; a daily bar of a trading day does.
        /// </summary>
        private bool InSession(Bar bar)
        {
            var calendar = CalendarAt(bar.Start);
            return calendar.IsOpen(bar.Start, includeExtended: false) || calendar.NextOpen(bar.Start) < bar.End;
        }

        private BacktestFill? Fill(OrderIntent intent, Bar bar, Bar? next)
        {
            var fill = options.FillPolicy(intent, bar, next);
            if (fill is not null && fill.Timestamp < bar.End)
            {
                throw new InvalidOperationException($"The fill policy filled {intent.ClientOrderId} at {fill.Timestamp:O}, before its signal bar ended at {bar.End:O}.");
            }

            // A stop-limit fills as a limit once triggered (as at the paper exchange): never past its limit either.
            return fill is not null && options.SlippageBps > 0m
                ? fill with
                {
                    Price = Slippage.Against(intent.Side, fill.Price, options.SlippageBps,
                        intent.Type is OrderType.Limit or OrderType.StopLimit ? intent.LimitPrice : null),
                }
                : fill;
        }

        /// <summary>
        /// Orders with a price condition (limit, stop, stop-limit, trailing stop) and a DAY or GTC time in force wait for it,
        /// as at a venue; the rest fill at once or never.
        /// </summary>
        private static bool Rests(OrderIntent intent) =>
            intent.Type is OrderType.Limit or OrderType.Stop or OrderType.StopLimit or OrderType.TrailingStop
            && intent.TimeInForce is TimeInForce.Day or TimeInForce.Gtc;

        private void Rest(OrderIntent intent, Bar signal, decimal? mark, DateTimeOffset sentAt)
        {
            if (!_resting.TryGetValue(intent.Symbol, out var resting))
            {
                _resting[intent.Symbol] = resting = [];
            }

            // It expires as the paper exchange would expire it when it was sent (after the close: the next session's close),
            // not when another symbol's older signal bar ended.
            resting.Add(new Resting(intent, ExpiryOf(intent.TimeInForce, sentAt), signal.End, mark));
        }

        /// <summary>
        /// When an order sent at <paramref name="at"/> expires under the run's calendar. The NYSE calendar knows its sessions
        /// only for the years it covers: on bars outside them (two weeks' margin for the next close) a DAY order ends with
        /// its UTC date, as on the always-open calendar, instead of the run failing.
        /// </summary>
        private DateTimeOffset? ExpiryOf(TimeInForce timeInForce, DateTimeOffset at) => OrderExpiry.For(timeInForce, at, CalendarAt(at));

        /// <summary>
        /// The run's calendar at <paramref name="at"/>, or the always-open one where the NYSE calendar does not know the
        /// sessions (outside its years, with two weeks' margin for the next open or close): there every bar is in session
        /// and a DAY order ends with its UTC date.
        /// </summary>
        private ITradingCalendar CalendarAt(DateTimeOffset at)
        {
            var date = DateOnly.FromDateTime(at.UtcDateTime);
            return options.Calendar is NyseCalendar && !(NyseHolidays.Covers(date.AddDays(-1)) && NyseHolidays.Covers(date.AddDays(14)))
                ? AlwaysOpenCalendar.Instance
                : options.Calendar;
        }

        private Bar? NextBar(int barIndex)
        {
            var symbol = bars[barIndex].Symbol;
            for (var j = barIndex + 1; j < bars.Count; j++)
            {
                if (string.Equals(bars[j].Symbol, symbol, StringComparison.Ordinal))
                {
                    return bars[j];
                }
            }

            return null;
        }

        /// <summary>
        /// The bars of an order for another symbol than the bar at <paramref name="barIndex"/>'s, sent when that bar ended:
        /// the symbol's latest bar that had ended by then (its signal bar, possibly one the run meets next since it started at
        /// the same time) and its first bar that had not started (the next bar). No signal bar when none had ended.
        /// </summary>
        private (Bar? Signal, Bar? Next) BarsOf(string symbol, int barIndex)
        {
            var now = bars[barIndex].End;
            Bar? signal = null;
            for (var j = barIndex - 1; j >= 0 && signal is null; j--)
            {
                if (string.Equals(bars[j].Symbol, symbol, StringComparison.Ordinal) && bars[j].End <= now)
                {
                    signal = bars[j];
                }
            }

            for (var j = barIndex + 1; j < bars.Count; j++)
            {
                if (!string.Equals(bars[j].Symbol, symbol, StringComparison.Ordinal))
                {
                    continue;
                }

                if (bars[j].Start >= now)
                {
                    return (signal, bars[j]);
                }

                if (bars[j].End <= now && (signal is null || bars[j].End > signal.End))
                {
                    signal = bars[j];
                }
            }

            return (signal, null);
        }

        private void ApplyDue(DateTimeOffset until)
        {
            // A fill can make the strategy submit again (OnFill, OnOrderUpdate); keep going until nothing is due.
            while (_due.TryPeek(out var pending, out var key) && key.Item1 <= until)
            {
                _due.Dequeue();
                if (pending.Fill is { } fill)
                {
                    ApplyFill(pending.Intent, fill);
                }
                else
                {
                    Update(new StrategyOrderUpdate
                    {
                        ClientOrderId = pending.Intent.ClientOrderId,
                        Status = pending.Final,
                        Timestamp = key.Item1,
                        Message = pending.Reason,
                    });
                }
            }
        }

        private void ApplyFill(OrderIntent intent, BacktestFill fill)
        {
            var fee = options.Fee(new FeeInput(intent.Side, intent.Quantity, fill.Price) { TradeDate = NyseCalendar.ExchangeDate(fill.Timestamp) });
            var execution = new Execution
            {
                ExecutionId = intent.ClientOrderId + "-fill",
                OrderId = intent.ClientOrderId,
                ClientOrderId = intent.ClientOrderId,
                Symbol = intent.Symbol,
                Side = intent.Side,
                Quantity = intent.Quantity,
                Price = fill.Price,
                Fee = fee,
                Liquidity = intent.Type == OrderType.Limit ? Liquidity.Maker : Liquidity.Taker,
                Timestamp = fill.Timestamp,
            };
            var before = _positions.TryGetValue(intent.Symbol, out var p) ? p : Position.Flat(intent.Symbol);
            // An order for a symbol whose bars the run has not met yet (sent on another symbol's bar) marks at its fill until then.
            _marks.TryAdd(intent.Symbol, fill.Price);
            var applied = before.Apply(execution);
            _positions[intent.Symbol] = applied.Position;
            var signed = intent.Side == OrderSide.Buy ? intent.Quantity : -intent.Quantity;
            _cash -= (signed * fill.Price) + fee;
            _fees += fee;
            _executions.Add(execution);
            if (OpenRoundTrip.FollowIn(_openRoundTrips, before, applied, execution) is { } roundTrip)
            {
                _roundTrips.Add(roundTrip);
            }

            _context.SetPosition(intent.Symbol, applied.Position.Quantity, applied.Position.AverageEntryPrice);
            strategy.OnFill(execution);
            Update(new StrategyOrderUpdate
            {
                ClientOrderId = intent.ClientOrderId,
                Status = OrderStatus.Filled,
                FilledQuantity = intent.Quantity,
                Timestamp = fill.Timestamp,
            });
        }

        private void Update(StrategyOrderUpdate update)
        {
            _context.ApplyOrderUpdate(update);
            _updates.Add(update);
            strategy.OnOrderUpdate(update);
        }

        private void Mark(DateTimeOffset at)
        {
            var equity = _cash;
            foreach (var (symbol, position) in _positions)
            {
                equity += position.MarketValue(_marks[symbol]);
            }

            if (_equity.Count > 0 && _equity[^1].Timestamp == at)
            {
                _equity[^1] = new EquityPoint(at, equity);
            }
            else
            {
                _equity.Add(new EquityPoint(at, equity));
            }
        }

        private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

        /// <summary>A fill due, or (without one) the order's end: canceled, or expired for a DAY order.</summary>
        private sealed record Pending(
            OrderIntent Intent, BacktestFill? Fill, OrderStatus Final = OrderStatus.Canceled, string Reason = "not filled under the backtest's fill policy");

        /// <summary>
        /// An order waiting for its price; a DAY order's expiry (its session's close); the end of its signal bar (bars ending by then have met it);
        /// a trailing stop's water mark (a sell's high, a buy's low).
        /// </summary>
        private sealed record Resting(OrderIntent Intent, DateTimeOffset? ExpiresAt, DateTimeOffset SignalEnd, decimal? Mark = null);
    }
}
