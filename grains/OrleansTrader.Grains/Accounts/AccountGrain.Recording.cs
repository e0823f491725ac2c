using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>Journal, events and persistence: every change is journaled, persisted, then published.</summary>
internal sealed partial class AccountGrain
{
    private static AccountOrder ToView(WorkingOrder working)
    {
        var order = working.Order;
        return new AccountOrder
        {
            OrderId = order.OrderId,
            ClientOrderId = order.ClientOrderId,
            BrokerOrderId = working.BrokerOrderId,
            Symbol = order.Symbol,
            Side = order.Side,
            Type = order.Request.Type,
            TimeInForce = order.Request.TimeInForce,
            Quantity = order.Quantity,
            FilledQuantity = order.FilledQuantity,
            LeavesQuantity = order.LeavesQuantity,
            AverageFillPrice = order.AverageFillPrice,
            LimitPrice = order.Request.LimitPrice,
            StopPrice = order.Request.StopPrice,
            TrailPrice = order.Request.TrailPrice,
            TrailPercent = order.Request.TrailPercent,
            Status = order.Status,
            InFlight = working.InFlight,
            StatusReason = order.StatusReason,
            OrderClass = order.Request.OrderClass == OrderClass.Simple ? null : order.Request.OrderClass,
            ExtendedHours = order.Request.ExtendedHours ? true : null,
            TakeProfit = order.Request.TakeProfit,
            StopLoss = order.Request.StopLoss,
            ParentOrderId = order.ParentOrderId,
            ReplacesOrderId = order.ReplacesOrderId,
            ReplacedByOrderId = order.ReplacedByOrderId,
            Origin = working.Origin,
            CreatedAt = order.CreatedAt,
            UpdatedAt = order.UpdatedAt,
        };
    }

    /// <summary>
    /// The view <see cref="Record"/> made last, with the working order it shows: a command answers with the view it just
    /// recorded (views are immutable), instead of building the same one again.
    /// </summary>
    private (WorkingOrder? Working, AccountOrder? View) _lastRecorded;

    private AccountOrder? View(string orderId) =>
        !S.WorkingOrders.TryGetValue(orderId, out var working) ? _history.ClosedInMemory(orderId)
        : ReferenceEquals(working, _lastRecorded.Working) ? _lastRecorded.View
        : ToView(working);

    /// <summary>Records an order's change: journal entry, order event, and the move out of the working set when final.</summary>
    private AccountOrder Record(WorkingOrder working, OrderStatus? from, string action, string? riskCode = null, string? detail = null)
    {
        var order = working.Order;
        var now = Journal(order.OrderId, order.ClientOrderId, order.Symbol, from, order.Status, action, riskCode, detail);
        if (order.Status.IsFinal())
        {
            S.WorkingOrders.Remove(order.OrderId);
            if (S.Ledger is not null)
            {
                ReleaseReservation(working);
            }
        }
        else
        {
            S.WorkingOrders[order.OrderId] = working;
        }

        if (order.Status.IsFinal() || !(working.InFlight || working.BrokerOrderId is null))
        {
            _inFlightClocks.Remove(order.OrderId);
        }

        var view = ToView(working);
        _lastRecorded = (working, view);
        AddOrderEvent(view, now);
        return view;
    }

    /// <summary>Records a change to an order that is closed already (a late fill of a replaced order): journal entry and event.</summary>
    private void RecordClosed(AccountOrder view, string action, string detail) =>
        AddOrderEvent(view, Journal(view.OrderId, view.ClientOrderId, view.Symbol, view.Status, view.Status, action, null, detail));

    /// <summary>Appends a journal entry of an order's change; returns its time, which the change's event shares.</summary>
    private DateTimeOffset Journal(
        string orderId, string clientOrderId, string symbol, OrderStatus? from, OrderStatus to, string action, string? riskCode, string? detail)
    {
        var now = time.GetUtcNow();
        var journal = new JournalEntry
        {
            Sequence = ++S.LastJournalSequence,
            Timestamp = now,
            OrderId = orderId,
            ClientOrderId = clientOrderId,
            Symbol = symbol,
            From = from,
            To = to,
            Action = action,
            RiskReasonCode = riskCode,
            Detail = detail,
        };
        _store!.Append(S, _history, journal);
        return now;
    }

    private void AddOrderEvent(AccountOrder view, DateTimeOffset at) => AddEvent(new AccountEvent
    {
        Sequence = ++S.LastEventSequence,
        AccountId = AccountId,
        Timestamp = at,
        Kind = AccountEventKind.OrderUpdated,
        Order = view,
    });

    private void AddEvent(AccountEvent entry)
    {
        _store!.Append(S, _history, entry);
        _unpublished.Add(entry);
    }

    private void AddFill(AccountFill fill)
    {
        var fillEvent = new AccountEvent
        {
            Sequence = ++S.LastEventSequence,
            AccountId = AccountId,
            Timestamp = fill.Timestamp,
            Kind = AccountEventKind.Fill,
            Fill = fill,
        };
        _store!.Append(S, _history, fill, fillEvent);
        _unpublished.Add(fillEvent);
    }

    /// <summary>
    /// True when breaker notices or events are waiting for the next persist; events of a deferred write (a broker's
    /// acceptance) do not count, they go with the next change.
    /// </summary>
    private bool HasUnsavedNotices()
    {
        lock (_breakerLock)
        {
            return _breakerNotices.Count > 0 || (_unpublished.Count > 0 && !_persistDeferred);
        }
    }

    /// <summary>Records breaker notices that arrived between turns as events.</summary>
    private void DrainBreakerNotices()
    {
        List<BreakerSnapshot> notices;
        lock (_breakerLock)
        {
            if (_breakerNotices.Count == 0)
            {
                return;
            }

            notices = [.. _breakerNotices];
            _breakerNotices.Clear();
        }

        foreach (var notice in notices)
        {
            if (notice.BreakerId == BreakerKeys.Global)
            {
                S.GlobalBreakerVersion = notice.Version;
            }
            else
            {
                S.AccountBreakerVersion = notice.Version;
            }

            AddEvent(new AccountEvent
            {
                Sequence = ++S.LastEventSequence,
                AccountId = AccountId,
                Timestamp = notice.Since ?? time.GetUtcNow(),
                Kind = AccountEventKind.BreakerChanged,
                Breaker = notice,
            });
        }
    }

    /// <summary>Persists history page and core state, then publishes the events they contain (never before).</summary>
    private async Task PersistAsync()
    {
        _persistDeferred = false;
        _persistIncomplete = true;
        DrainBreakerNotices();
        var journaled = S.LastJournalSequence;
        await TradeBook.StoreClosedAsync();
        await _store!.FlushAsync(S, _history);
        await state.WriteStateAsync();
        _persistIncomplete = false;
        _storedJournalSequence = journaled;
        if (_unpublished.Count > 0 && _events is not null)
        {
            var batch = _unpublished.ToArray();
            _unpublished.Clear();
            try
            {
                await _events.OnNextBatchAsync(batch);
            }
            catch (Exception ex)
            {
                // Events are persisted; a subscriber that missed them reads them back with GetEventsAsync.
                AccountLog.PublishFailed(logger, ex, AccountId, batch.Length);
            }
        }

        if (_unsentOrders is { Count: > 0 })
        {
            RejectUnsentOrders();
        }
    }
}
