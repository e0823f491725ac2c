using OrleansTrader.Brokers;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Statistics;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Accounts;

/// <summary>Execution reports from the durable "fills" stream: applied once by execution id, persisted, then acknowledged.</summary>
internal sealed partial class AccountGrain
{
    private readonly List<string> _mismatches = [];

    // Executions refused as unbookable in this activation: a back-fill sees one again on every reconciliation while it is
    // in its window, and it is reported once.
    private readonly HashSet<string> _refusedExecutions = new(StringComparer.Ordinal);

    /// <summary>A fill's quantity, price and fee below this (a notional under 1e24) are booked without a trial run.</summary>
    private const decimal PlausibleFillBound = 1_000_000_000_000m;

    private async Task OnReportAsync(ExecutionReport report, StreamSequenceToken? token)
    {
        if (!S.IsOpen)
        {
            AccountLog.ReportIgnored(logger, AccountId, report.Order.ClientOrderId);
            return;
        }

        // A fill after midnight, before the signal tick rolled the day, belongs to the new day: booked first, it counted in
        // the day that ended (its fill, realized P&L and fees), and the new day started after it.
        if (report.Execution is not null)
        {
            await RollDayBeforeBookingAsync();
        }

        var filled = ApplyReport(report, out var changed);
        if (filled && Value() is { } valuation)
        {
            // A fill can lift the high-water mark (the account valued at a price its order saw first): lifted after the
            // fill's write, it stayed in memory only, as no later tick or deactivation saw a change to write.
            Ledger = Ledger.MarkEquity(valuation.Equity);
        }

        // A report that changes nothing (the acceptance already taken from the submit's answer, a redelivered
        // execution) needs no write: the stored state already holds everything it says.
        if (changed || HasUnsavedNotices())
        {
            await PersistAsync();
        }

        if (filled)
        {
            await ReportSignalsAfterFillAsync();
        }

        await TripOnMismatchAsync();
    }

    /// <summary>Applies one report; true when it added a fill. <paramref name="changed"/> tells whether the state changed at all.</summary>
    private bool ApplyReport(ExecutionReport report, out bool changed)
    {
        var orderId = FindOrder(report.Order);
        var events = S.LastEventSequence;
        if (orderId is not null)
        {
            // A group whose submit answer was lost: its legs come with its reports, before their own fills.
            AdoptLegs(orderId, report.Order);
        }

        if (report.Execution is { } execution)
        {
            var filled = ApplyExecution(orderId, execution, report.Order);
            changed = filled || events != S.LastEventSequence;
            return filled;
        }

        changed = false;
        if (orderId is null || !S.WorkingOrders.TryGetValue(orderId, out var working))
        {
            return false;
        }

        if (SyncGroupQuantity(orderId, report.Order) || SyncReplacementQuantity(orderId, report.Order))
        {
            working = S.WorkingOrders[orderId];
        }

        changed = events != S.LastEventSequence;

        if (working.BrokerOrderId is null || working.InFlight)
        {
            S.WorkingOrders[orderId] = working with { BrokerOrderId = report.Order.OrderId, InFlight = false };
            changed = true;
        }

        var evt = report.Kind switch
        {
            ExecutionReportKind.Accepted when working.Order.Status == OrderStatus.PendingNew => OrderEvent.Accept,
            ExecutionReportKind.Canceled => OrderEvent.Canceled,
            ExecutionReportKind.Expired => OrderEvent.Expire,
            ExecutionReportKind.Rejected => OrderEvent.Reject,
            ExecutionReportKind.CancelRejected when working.Order.Status == OrderStatus.PendingCancel => OrderEvent.CancelRejected,
            ExecutionReportKind.Replaced when working.Order.Status == OrderStatus.PendingReplace => OrderEvent.Replaced,
            ExecutionReportKind.ReplaceRejected when working.Order.Status == OrderStatus.PendingReplace => OrderEvent.ReplaceRejected,
            _ => (OrderEvent?)null,
        };
        // A reconnect's catch-up reports what it lists before the updates waiting on the connection.
        if (EndsBeforeItsFills(evt, report.Order.FilledQuantity, working))
        {
            evt = null;
        }

        if (evt == OrderEvent.Replaced ? EndReplaced(orderId, "replaced", report.Order.ReplacedByOrderId)
            : evt is { } e && Transition(orderId, e, report.Kind.ToString().ToLowerInvariant(), report.Reason))
        {
            changed = true;
        }

        return false;
    }

    private string? FindOrder(BrokerOrder order)
    {
        if (_history.TryGetOrderId(order.ClientOrderId, out var id))
        {
            return id;
        }

        return S.WorkingOrders.Values.FirstOrDefault(w => w.BrokerOrderId == order.OrderId)?.Order.OrderId;
    }

    /// <summary>
    /// Applies an execution to its order and to the ledger, once per execution id. An execution for an order the account
    /// does not know still moves the ledger (the broker did trade) and is reported as a mismatch.
    /// </summary>
    private bool ApplyExecution(string? orderId, Execution execution, BrokerOrder brokerOrder)
    {
        if (string.IsNullOrWhiteSpace(execution.ExecutionId) || _history.HasExecution(execution.ExecutionId))
        {
            return false;
        }

        var isWorking = S.WorkingOrders.TryGetValue(orderId ?? "", out var working);

        // Checked before anything moves: an execution the books cannot hold, booked step by step, stopped at the step that
        // overflowed, leaving the steps before it (the ledger, the fill, its execution id) in memory and unwritten.
        if (Unbookable(execution, isWorking ? working!.ReservationId ?? working.Order.OrderId : orderId ?? brokerOrder.OrderId) is { } why)
        {
            Refuse(execution, why);
            return false;
        }

        if (!isWorking)
        {
            string? origin = null;
            if (orderId is not null && _history.ClosedInMemory(orderId) is { Status: OrderStatus.Replaced } replacedOrder
                && replacedOrder.FilledQuantity + execution.Quantity <= replacedOrder.Quantity
                && execution.Symbol == replacedOrder.Symbol && execution.Side == replacedOrder.Side)
            {
                // The order ended before its fill was reported: its final state takes the fill, or it would show less filled
                // than the fills booked to it.
                var filled = replacedOrder.FilledQuantity + execution.Quantity;
                decimal average;
                try
                {
                    average = (((replacedOrder.AverageFillPrice ?? 0m) * replacedOrder.FilledQuantity) + (execution.Price * execution.Quantity)) / filled;
                }
                catch (OverflowException)
                {
                    Refuse(execution, $"the average fill price of order {orderId} overflows");
                    return false;
                }

                // The cancel-replace race: the old order filled at the venue before the replace, and its report arrived after
                // the replace's answer. The venue sized the replacement net of this fill (CompleteReplace takes its quantity).
                AccountLog.Mismatch(logger, AccountId, $"Execution {execution.ExecutionId} of replaced order {orderId} arrived after the replace; booked.");
                origin = replacedOrder.Origin;

                // Changed now, on the account's clock: the fill's time is the venue's, from before the replace.
                var bookedAt = time.GetUtcNow();
                RecordClosed(replacedOrder with
                {
                    FilledQuantity = filled,
                    AverageFillPrice = average,
                    UpdatedAt = bookedAt > replacedOrder.UpdatedAt ? bookedAt : replacedOrder.UpdatedAt,
                }, "filled-after-replace", $"{execution.Quantity} @ {execution.Price} ({execution.ExecutionId})");
            }
            else if (orderId is not null && _history.IsClosed(orderId))
            {
                _mismatches.Add($"Execution {execution.ExecutionId} arrived for closed order {orderId}.");
            }
            else
            {
                _mismatches.Add($"Execution {execution.ExecutionId} for unknown order {brokerOrder.OrderId} ({brokerOrder.ClientOrderId}).");
            }

            BookFill(orderId ?? brokerOrder.OrderId, execution, origin: origin);
            return true;
        }

        var local = execution with { OrderId = working!.Order.OrderId };
        Result<FillApplication> applied;
        try
        {
            // Stamped on the account's clock: a client syncing orders by updatedAt must see the fill, and the venue's
            // execution time comes before its report here, often before the acceptance the account recorded.
            applied = working.Order.ApplyFill(local, time.GetUtcNow());
        }
        catch (OverflowException)
        {
            Refuse(execution, $"the average fill price of order {orderId} overflows");
            return false;
        }

        if (!applied.IsSuccess)
        {
            _mismatches.Add($"Execution {execution.ExecutionId} does not fit order {orderId}: {applied.Error}.");
            BookFill(working.Order.OrderId, execution, origin: working.Origin);
            return true;
        }

        if (applied.Value!.IsDuplicate)
        {
            return false;
        }

        var from = working.Order.Status;
        var order = applied.Value.Order;
        BookFill(order.OrderId, local, working.ReservationId, working.Origin);
        Record(working with { Order = order, BrokerOrderId = working.BrokerOrderId ?? brokerOrder.OrderId, InFlight = false },
            from, order.Status == OrderStatus.Filled ? "filled" : "partially-filled", null,
            $"{execution.Quantity} @ {execution.Price} ({execution.ExecutionId})");
        ReserveExits(order);
        return true;
    }

    /// <summary>
    /// Why the account cannot book <paramref name="execution"/>, or null when it can: a quantity or price that is not
    /// positive or a negative fee (the position's math refuses them), or amounts (its notional, the cash, cost, P&amp;L and
    /// round trip after it, the account valued at its marks after it) beyond what a decimal holds.
    /// </summary>
    private string? Unbookable(Execution execution, string reservationId)
    {
        if (execution.Quantity <= 0m || execution.Price <= 0m || execution.Fee < 0m)
        {
            return $"quantity {execution.Quantity} and price {execution.Price} must be positive and fee {execution.Fee} not negative";
        }

        // Every real fill is far inside what a decimal holds (about 7.9e28): only one beyond these bounds pays for the trial
        // booking below, which would otherwise double the work of every fill.
        if (execution.Quantity < PlausibleFillBound && execution.Price < PlausibleFillBound && execution.Fee < PlausibleFillBound)
        {
            return null;
        }

        try
        {
            var before = Ledger.PositionOf(execution.Symbol);
            var booked = Ledger.ApplyFill(execution with { OrderId = reservationId }, reservationId);
            OpenRoundTrip.Follow(S.Trades.Open.GetValueOrDefault(execution.Symbol), before, booked.Fill, execution);

            // Valued as the account values it after the fill: at its marks, or at the fill's price where it has none.
            var marks = _marks.ContainsKey(execution.Symbol) ? _marks : new Dictionary<string, decimal>(_marks) { [execution.Symbol] = execution.Price };
            return booked.Ledger.Value(marks) is { IsSuccess: false, Error.Code: LedgerErrorCodes.ValuationOverflow }
                ? $"{execution.Quantity} @ {execution.Price} (fee {execution.Fee}) takes the account's amounts beyond what a decimal holds"
                : null;
        }
        catch (OverflowException)
        {
            return $"{execution.Quantity} @ {execution.Price} (fee {execution.Fee}) takes the account's amounts beyond what a decimal holds";
        }
    }

    /// <summary>
    /// Refuses an execution no venue sends: nothing of it is booked, it is logged as an error and counted as a mismatch
    /// (REDUCING), once per activation, and the report's stream moves on.
    /// </summary>
    private void Refuse(Execution execution, string reason)
    {
        if (_refusedExecutions.Add(execution.ExecutionId))
        {
            AccountLog.ExecutionRefused(logger, AccountId, execution.ExecutionId, execution.OrderId, execution.ClientOrderId, reason);
            _mismatches.Add($"Execution {execution.ExecutionId} of order {execution.OrderId} ({execution.ClientOrderId}) refused: {reason}.");
        }
    }

    private void BookFill(string orderId, Execution execution, string? reservationId = null, string? origin = null)
    {
        // A working order's fill comes here with the account's order id already (ApplyExecution made that copy).
        var local = execution.OrderId == orderId ? execution : execution with { OrderId = orderId };
        var before = Ledger.PositionOf(execution.Symbol);
        var booked = Ledger.ApplyFill(local, reservationId);
        Ledger = booked.Ledger;
        TradeBook.Follow(S.Trades, before, booked.Fill, local);
        _history.AddExecution(execution.ExecutionId);
        metrics.Filled(S.Broker, S.Currency, execution);
        if (S.LastExecutionAt is null || execution.Timestamp > S.LastExecutionAt)
        {
            S.LastExecutionAt = execution.Timestamp;
        }

        AddMark(execution.Symbol, execution.Price);
        AddFill(new AccountFill
        {
            Sequence = ++S.LastFillSequence,
            ExecutionId = execution.ExecutionId,
            OrderId = orderId,
            ClientOrderId = execution.ClientOrderId,
            Symbol = execution.Symbol,
            Side = execution.Side,
            Quantity = execution.Quantity,
            Price = execution.Price,
            Fee = execution.Fee,
            RealizedPnl = booked.Fill.RealizedPnl,
            Timestamp = execution.Timestamp,
            Origin = origin,
        });
        AccountLog.Filled(logger, AccountId, orderId, execution.ClientOrderId, execution.Symbol, execution.Side, execution.Quantity, execution.Price);
    }

    /// <summary>Trips this account's breaker to REDUCING when something did not add up (never silently).</summary>
    private async Task TripOnMismatchAsync()
    {
        if (_mismatches.Count == 0)
        {
            return;
        }

        var reason = string.Join(" ", _mismatches.Take(5));
        _mismatches.Clear();
        AccountLog.Mismatch(logger, AccountId, reason);
        if (_accountBreaker.State == TradingState.Active)
        {
            var result = await Breaker.TripAsync(TradingState.Reducing, new BreakerActor("reconciliation", HasRiskRole: false), reason);
            await OnBreakerChangedAsync(result.Snapshot);
            await PersistAsync();
        }
    }
}
