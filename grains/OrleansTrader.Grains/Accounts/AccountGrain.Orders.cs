using System.Globalization;
using OrleansTrader.Brokers;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Domain.Risk.Checks;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>Place, replace, cancel: risk and reservation in one turn, persisted, then the broker.</summary>
internal sealed partial class AccountGrain
{
    private const string ReplaceDeniedAction = "replace-denied";
    private const string UnsentReason = "Not sent to the broker: the account's storage failed at its placement.";
    private const string UnsentReplaceReason = "Not sent to the broker: the account's storage failed at its replace.";

    // Applied alone to an order admitted under ACTIVE when REDUCING arrived during its write (RefusedByTripWhileWritten).
    private static readonly ReduceOnlyCheck ReduceOnly = new();

    public async Task<OrderCommandResult> PlaceOrderAsync(PlaceOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var request = command.Request;
        if (!S.IsOpen)
        {
            return OrderCommandResult.Denied(AccountErrorCodes.NotOpen, $"Account {AccountId} is not open.");
        }

        if (request is null || string.IsNullOrWhiteSpace(request.ClientOrderId) || string.IsNullOrWhiteSpace(request.Symbol))
        {
            return OrderCommandResult.Denied(RiskReasonCodes.OrderInvalid, "An order needs a client order id and a symbol.");
        }

        if (_history.TryGetOrderId(request.ClientOrderId, out var existingId) && await FindOrderAsync(existingId) is { } existing)
        {
            // An unsent replacement is not a placement: sent as one, it would work beside the order it was to replace.
            return _unsentOrders is { Count: > 0 } && _unsentOrders.Contains(existingId) && existing.ReplacesOrderId is null
                ? await CompleteUnsentPlacementAsync(existingId)
                : OrderCommandResult.Of(existing, existing: true);
        }

        if (_client is null)
        {
            return OrderCommandResult.Denied(AccountErrorCodes.BrokerUnavailable, _clientError ?? $"Broker {S.Broker} is not connected.");
        }

        await RefreshMissingMarksAsync();
        var quote = await GrainFactory.GetGrain<ISymbolGrain>(request.Symbol).GetQuoteAsync();
        RememberMark(quote);
        var now = time.GetUtcNow();
        // Read once: the risk check judges the order under the state the trip recheck compares with (a notice can change
        // it at any moment, on another thread, between two reads).
        var admittedUnder = EffectiveState;
        var decision = VenueRefusal(request) ?? Evaluate(request, now, quote.LastQuote, excludeOrderId: null, admittedUnder);
        if (!decision.Approved)
        {
            return await DenyAsync(command, decision, now);
        }

        var orderId = NextOrderId();
        var reserved = Ledger.Reserve(orderId, request.Symbol, request.Side, request.Quantity, decision.RequiredReservation ?? 0m,
            decision.ReferencePrice, decision.EstimatedFee ?? 0m);
        if (!reserved.IsSuccess)
        {
            return await DenyAsync(command, RiskDecision.Deny(RiskReasonCodes.RiskCheckFailed, reserved.Error!.Message), now);
        }

        Ledger = reserved.Value!;
        _recentSubmits.Enqueue(now);
        var working = new WorkingOrder { Order = Order.Create(orderId, request, now), Origin = command.Origin, InFlight = true };
        _inFlightClocks[orderId] = (time.GetTimestamp(), TimeSpan.Zero);
        Record(working, null, AccountHistoryStore.SubmittedAction, decision.ReasonCode,
            string.Create(CultureInfo.InvariantCulture, $"reserved {decision.RequiredReservation}; reference price {decision.ReferencePrice}; estimated fee {decision.EstimatedFee}"));
        try
        {
            await PersistAsync();
        }
        catch
        {
            // Nothing went to the broker: the same id placed again completes the placement, a later write that goes
            // through rejects it (RejectUnsentOrders), a cancel ends it here.
            (_unsentOrders ??= new HashSet<string>(StringComparer.Ordinal)).Add(orderId);
            throw;
        }

        if (await RejectIfTrippedAsync(orderId, request, admittedUnder) is { } tripped)
        {
            return tripped;
        }

        AccountLog.Submitting(logger, AccountId, orderId, request.ClientOrderId, request.Symbol, request.Side, request.Quantity);
        return OrderCommandResult.Of(await SubmitToBrokerAsync(orderId, request));
    }

    /// <summary>
    /// A trip whose notice arrived while the order's write was in flight (notices interleave): the breaker acknowledged it
    /// once this account knew, and after that the venue may get only what the new state admits, so an order admitted
    /// before it and refused now is rejected unsent, its reservation released. Null when it may be sent.
    /// </summary>
    private async Task<OrderCommandResult?> RejectIfTrippedAsync(string orderId, OrderRequest request, TradingState admittedUnder)
    {
        if (RefusedByTripWhileWritten(request, admittedUnder, orderId, replacedOrderId: null, "the order") is not { } refusal)
        {
            return null;
        }

        Transition(orderId, OrderEvent.Reject, "rejected", refusal.Message);
        await PersistAsync();
        AccountLog.Denied(logger, AccountId, request.ClientOrderId, request.Symbol, refusal.ReasonCode, refusal.Message);
        return OrderCommandResult.Denied(refusal.ReasonCode, refusal.Message, refusal.MaxQuantity, View(orderId));
    }

    /// <summary>
    /// What a trip acknowledged while an admitted order (or replacement) was written refuses of it. HALTED refuses all.
    /// REDUCING, when the order was admitted under ACTIVE, refuses what opens or increases a position: the reduce-only rule
    /// alone is applied again, against the position and the other open orders (the ledger without this order's reservation,
    /// nor the replaced order's), as the risk check saw them; the other rules held at the admission, and the submit is
    /// counted already. Null when it passes.
    /// </summary>
    private RiskDecision? RefusedByTripWhileWritten(
        OrderRequest request, TradingState admittedUnder, string orderId, string? replacedOrderId, string written)
    {
        var state = EffectiveState;
        if (state == TradingState.Halted)
        {
            return RiskDecision.Deny(RiskReasonCodes.TradingHalted,
                $"Not sent to the broker: trading was halted while {written} was written; only cancels are accepted.");
        }

        // Admitted under REDUCING, it passed this rule against the same position and orders (notices change neither).
        if (state != TradingState.Reducing || admittedUnder == TradingState.Reducing)
        {
            return null;
        }

        var denial = RiskEngine.Recheck(ReduceOnly, new RiskInput
        {
            Request = request,
            Now = time.GetUtcNow(),
            TradingState = state,
            Limits = Settings.RiskLimits,
            Instrument = environment.Find(request.Symbol),
            // Built only here: releasing a reservation rebuilds the ledger, too dear for every order's path.
            Account = replacedOrderId is null ? Ledger.Release(orderId) : Ledger.Release(orderId).Release(replacedOrderId),
        });
        return denial is null ? null
            : denial with { Message = $"Not sent to the broker: trading turned reduce-only while {written} was written. {denial.Message}" };
    }

    /// <summary>
    /// A placement repeated for an order whose first write failed (never sent): checked and reserved again as a placement
    /// now (the breaker may have tripped, prices moved; its own reservation excluded), then its write and its submit,
    /// answered as the first placement would have been. Refused now, it is rejected with the denial's reason.
    /// </summary>
    private async Task<OrderCommandResult> CompleteUnsentPlacementAsync(string orderId)
    {
        var unsent = S.WorkingOrders[orderId].Order;
        var request = unsent.Request;
        await RefreshMissingMarksAsync();
        var quote = await GrainFactory.GetGrain<ISymbolGrain>(request.Symbol).GetQuoteAsync();
        RememberMark(quote);

        // The attempt that was never sent counted as a submit: this repeat takes its place (counted at its own time if
        // it is sent or fails to write again), so one order counts once however often it is repeated.
        ForgetSubmit(unsent.CreatedAt);
        var now = time.GetUtcNow();
        var admittedUnder = EffectiveState;
        var decision = Evaluate(request, now, quote.LastQuote, excludeOrderId: orderId, admittedUnder);
        Result<AccountLedger>? reserved = null;
        if (decision.Approved)
        {
            // Reserved as a placement now would be: the first call's reference price may be long gone.
            reserved = Ledger.Release(orderId).Reserve(orderId, request.Symbol, request.Side, request.Quantity,
                decision.RequiredReservation ?? 0m, decision.ReferencePrice, decision.EstimatedFee ?? 0m);
            if (!reserved.IsSuccess)
            {
                decision = RiskDecision.Deny(RiskReasonCodes.RiskCheckFailed, reserved.Error!.Message);
            }
        }

        // Out of the set before the write either way, or the write going through would reject it as unsent.
        _unsentOrders!.Remove(orderId);
        if (!decision.Approved)
        {
            Transition(orderId, OrderEvent.Reject, "rejected", $"Not sent to the broker: {decision.Message}");
            await PersistAsync();
            AccountLog.Denied(logger, AccountId, request.ClientOrderId, request.Symbol, decision.ReasonCode, decision.Message);
            return OrderCommandResult.Denied(decision.ReasonCode, decision.Message, decision.MaxQuantity, View(orderId), decision.Causes);
        }

        Ledger = reserved!.Value!;
        _recentSubmits.Enqueue(now);
        try
        {
            await PersistAsync();
        }
        catch
        {
            _unsentOrders.Add(orderId);
            throw;
        }

        if (await RejectIfTrippedAsync(orderId, request, admittedUnder) is { } tripped)
        {
            return tripped;
        }

        AccountLog.Submitting(logger, AccountId, orderId, request.ClientOrderId, request.Symbol, request.Side, request.Quantity);
        return OrderCommandResult.Of(await SubmitToBrokerAsync(orderId, request));
    }

    /// <summary>Takes one submit made at the given time out of the submit rate's window (if it is still in it).</summary>
    private void ForgetSubmit(DateTimeOffset submittedAt)
    {
        if (!_recentSubmits.Contains(submittedAt))
        {
            return;
        }

        // Rare (a repeated placement after a failed write): the queue is rebuilt in order without that one entry.
        var kept = _recentSubmits.ToList();
        kept.Remove(submittedAt);
        _recentSubmits.Clear();
        foreach (var submitted in kept)
        {
            _recentSubmits.Enqueue(submitted);
        }
    }

    /// <summary>
    /// Called once a write went through: the orders whose placement's write failed before and that were not placed again
    /// are rejected now, not sent late at another price (the caller was told the outcome is unknown). The rejections, and
    /// their released reservations, go with the next write (the signal tick's at the latest).
    /// </summary>
    private void RejectUnsentOrders()
    {
        foreach (var orderId in _unsentOrders!.ToList())
        {
            RejectUnsent(orderId);
        }

        _persistDeferred = true;
    }

    /// <summary>Rejects one order known unsent (and restores the order it was to replace); the caller has it written.</summary>
    private void RejectUnsent(string orderId)
    {
        _unsentOrders!.Remove(orderId);
        var replaces = S.WorkingOrders.GetValueOrDefault(orderId)?.Order.ReplacesOrderId;
        Transition(orderId, OrderEvent.Reject, "rejected", replaces is null ? UnsentReason : UnsentReplaceReason);
        RestoreUnsentReplaced(replaces);
    }

    /// <summary>
    /// The order a replacement known unsent was to replace: the broker never got the replace, so the order works on there
    /// untouched, and here it is back to working too, with the reservation it kept.
    /// </summary>
    private void RestoreUnsentReplaced(string? orderId)
    {
        if (orderId is not null && S.WorkingOrders.TryGetValue(orderId, out var old) && old.Order.Status == OrderStatus.PendingReplace)
        {
            Transition(orderId, OrderEvent.ReplaceRejected, "replace-rejected", UnsentReplaceReason);
        }
    }

    /// <summary>
    /// A replace or cancel of an order whose replace's write failed (never sent): that replacement is rejected first and
    /// the order restored, so the command goes on as for any working order. False when the order has no such replacement.
    /// </summary>
    private bool RejectUnsentReplacementOf(string orderId)
    {
        var unsentId = _unsentOrders!.FirstOrDefault(id => S.WorkingOrders.GetValueOrDefault(id)?.Order.ReplacesOrderId == orderId);
        if (unsentId is null)
        {
            return false;
        }

        RejectUnsent(unsentId);
        return true;
    }

    public async Task<RiskDecision> PreviewOrderAsync(OrderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!S.IsOpen)
        {
            return RiskDecision.Deny(AccountErrorCodes.NotOpen, $"Account {AccountId} is not open.");
        }

        if (string.IsNullOrWhiteSpace(request.Symbol))
        {
            return RiskDecision.Deny(RiskReasonCodes.OrderInvalid, "An order needs a symbol.");
        }

        if (request.ClientOrderId.Length == 0)
        {
            // No id given: nothing to check against the account's; the order rules still want one.
            request = request with { ClientOrderId = "preview" };
        }
        else if (_history.TryGetOrderId(request.ClientOrderId, out var existingId))
        {
            return RiskDecision.Deny(RiskReasonCodes.DuplicateClientOrderId,
                $"Client order id {request.ClientOrderId} is order {existingId}: placing it again answers that order.");
        }

        if (_client is null)
        {
            return RiskDecision.Deny(AccountErrorCodes.BrokerUnavailable, _clientError ?? $"Broker {S.Broker} is not connected.");
        }

        // The same checks as a placement in the same state, without the reservation, the journal entry or the submit.
        await RefreshMissingMarksAsync();
        var quote = await GrainFactory.GetGrain<ISymbolGrain>(request.Symbol).GetQuoteAsync();
        RememberMark(quote);
        return VenueRefusal(request) ?? Evaluate(request, time.GetUtcNow(), quote.LastQuote, excludeOrderId: null, EffectiveState);
    }

    public async Task<OrderCommandResult> ReplaceOrderAsync(ReplaceOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!S.IsOpen)
        {
            return OrderCommandResult.Denied(AccountErrorCodes.NotOpen, $"Account {AccountId} is not open.");
        }

        if (!S.WorkingOrders.TryGetValue(command.OrderId, out var old))
        {
            return await FindOrderAsync(command.OrderId) is { } closed
                ? OrderCommandResult.Denied(AccountErrorCodes.OrderNotReplaceable, $"Order {command.OrderId} is {closed.Status}.", order: closed)
                : OrderCommandResult.Denied(AccountErrorCodes.OrderNotFound, $"No order {command.OrderId}.");
        }

        if (old.Order.Status == OrderStatus.PendingReplace && _unsentOrders is { Count: > 0 } && RejectUnsentReplacementOf(command.OrderId))
        {
            // Its earlier replace never reached the broker (its write failed): this one is a fresh replace.
            old = S.WorkingOrders[command.OrderId];
        }

        if (IsGroupMember(old))
        {
            // The venue links a group's orders (an exit activates on the entry's fill, a fill cancels its sibling); a
            // replacement would be a new order outside that link. Paper refuses it too.
            return await DenyReplaceAsync(old, OrderCommandResult.Denied(AccountErrorCodes.OrderNotReplaceable,
                $"Order {command.OrderId} belongs to a bracket, OCO or OTO: cancel it and place a new order instead.", order: ToView(old)));
        }

        if (_client is null || old.BrokerOrderId is null)
        {
            return await DenyReplaceAsync(old, OrderCommandResult.Denied(AccountErrorCodes.OrderNotReplaceable,
                $"Order {command.OrderId} is not confirmed by the broker yet.", order: ToView(old)));
        }

        var domainReplacement = command.Replacement;
        if (OrderReplaceRules.CheckReplace(old.Order, domainReplacement) is { } rule)
        {
            return await DenyReplaceAsync(old, OrderCommandResult.Denied(rule.Code, rule.Message, order: ToView(old)));
        }

        // Taken only once the replace is admitted (below): a refused replace took an id that then belonged to no order, which
        // GET .../orders/{id} called aged out. The grain is not reentrant, so no other order takes it in between.
        var newOrderId = AccountOrderIds.Format(S.LastOrderNumber + 1);

        // A replacement of a replacement takes the root's id with its own suffix: a suffix appended per replace made the id
        // outgrow the 128 characters a client order id may have, and a UUID-ided order could not be replaced an 8th time.
        var replaceSuffix = $"-r{old.Order.OrderId}";
        var rootClientOrderId = old.Order.ReplacesOrderId is not null && old.Order.ClientOrderId.EndsWith(replaceSuffix, StringComparison.Ordinal)
            ? old.Order.ClientOrderId[..^replaceSuffix.Length]
            : old.Order.ClientOrderId;

        // A root near the 128 characters a client order id may have leaves no room for the suffix: as much of it as fits is
        // kept (the suffix, with its order id, keeps the id unique). Whole, it was refused ORDER_INVALID, an id the client never sent.
        var newSuffix = $"-r{newOrderId}";
        var keptRoot = rootClientOrderId.Length + newSuffix.Length > OrderValidator.MaxClientOrderIdLength
            ? rootClientOrderId[..(OrderValidator.MaxClientOrderIdLength - newSuffix.Length)]
            : rootClientOrderId;
        var request = OrderReplaceRules.BuildReplacementRequest(old.Order, domainReplacement, keptRoot + newSuffix);
        if (_history.TryGetOrderId(request.ClientOrderId, out _))
        {
            return await DenyReplaceAsync(old,
                OrderCommandResult.Denied(RiskReasonCodes.DuplicateClientOrderId, $"Client order id {request.ClientOrderId} is already used."));
        }

        await RefreshMissingMarksAsync();
        var quote = await GrainFactory.GetGrain<ISymbolGrain>(request.Symbol).GetQuoteAsync();
        RememberMark(quote);
        var now = time.GetUtcNow();
        var admittedUnder = EffectiveState;
        var decision = VenueRefusal(request) ?? Evaluate(request, now, quote.LastQuote, excludeOrderId: old.Order.OrderId, admittedUnder);
        if (!decision.Approved)
        {
            // The check sized the replacement (the new total less the fills); a replace names the new total, as the hint must.
            return await DenyReplaceAsync(old,
                OrderCommandResult.Denied(decision.ReasonCode, decision.Message, decision.MaxQuantity + old.Order.FilledQuantity, ToView(old), decision.Causes));
        }

        S.LastOrderNumber++;

        // The replacement is a new order sent to the broker: it counts against the submit rate like a placement.
        _recentSubmits.Enqueue(now);
        var pending = old with { Order = old.Order.Apply(OrderEvent.ReplaceRequest, now).GetValueOrThrow() };
        Record(pending, old.Order.Status, "replace-requested", decision.ReasonCode);
        Ledger = Ledger.Reserve(newOrderId, request.Symbol, request.Side, request.Quantity, decision.RequiredReservation ?? 0m,
            decision.ReferencePrice, decision.EstimatedFee ?? 0m).GetValueOrThrow();
        var replacement = new WorkingOrder
        {
            Order = Order.Create(newOrderId, request, now) with { ReplacesOrderId = old.Order.OrderId },
            Origin = old.Origin,
            InFlight = true,
        };
        _inFlightClocks[newOrderId] = (time.GetTimestamp(), TimeSpan.Zero);
        Record(replacement, null, AccountHistoryStore.SubmittedAction, decision.ReasonCode, $"replaces {old.Order.OrderId}");
        try
        {
            await PersistAsync();
        }
        catch
        {
            // Nothing went to the broker: the old order works on there as before. A later write that goes through rejects
            // the replacement and restores the old order (RejectUnsentOrders); a replace or cancel of the old order does so first.
            (_unsentOrders ??= new HashSet<string>(StringComparer.Ordinal)).Add(newOrderId);
            throw;
        }

        // Tripped while the replace was written (see RejectIfTrippedAsync): not sent; the old order works on unchanged. Checked
        // as it was admitted: its own reservation and the old order's released.
        if (RefusedByTripWhileWritten(request, admittedUnder, newOrderId, old.Order.OrderId, "the replace") is { } refusal)
        {
            Transition(newOrderId, OrderEvent.Reject, "rejected", refusal.Message);
            Transition(old.Order.OrderId, OrderEvent.ReplaceRejected, "replace-rejected", refusal.Message);
            await PersistAsync();
            return OrderCommandResult.Denied(refusal.ReasonCode, refusal.Message,
                refusal.MaxQuantity + old.Order.FilledQuantity, View(old.Order.OrderId));
        }

        try
        {
            var broker = await _client.ReplaceOrderAsync(old.BrokerOrderId, domainReplacement with { ClientOrderId = request.ClientOrderId });
            NoteOutcome(false);
            CompleteReplace(old.Order.OrderId, newOrderId, broker);
        }
        catch (BrokerException ex) when (NotSentOrRefused(ex))
        {
            NoteOutcome(true);
            Transition(old.Order.OrderId, OrderEvent.ReplaceRejected, "replace-rejected", ex.Message);
            Transition(newOrderId, OrderEvent.Reject, "rejected", ex.Message);
        }
        catch (Exception ex)
        {
            NoteOutcome(true);
            AccountLog.BrokerOutcomeUnknown(logger, ex, AccountId, newOrderId, request.ClientOrderId);
        }

        await PersistAsync();
        return View(newOrderId) is { } result ? OrderCommandResult.Of(result) : OrderCommandResult.Denied(AccountErrorCodes.OrderNotFound, "Replacement vanished.");
    }

    /// <summary>
    /// A refused replace of a working order is journaled (action <c>replace-denied</c>, the order's status unchanged, the
    /// rule's or risk decision's reason code and message) and persisted in the refusing turn, as a denied placement is:
    /// the audit trail shows every attempt and why it was refused. No event: the order did not change.
    /// </summary>
    private async Task<OrderCommandResult> DenyReplaceAsync(WorkingOrder old, OrderCommandResult denied)
    {
        var order = old.Order;
        Journal(order.OrderId, order.ClientOrderId, order.Symbol, order.Status, order.Status, ReplaceDeniedAction,
            denied.Denial!.ReasonCode, denied.Denial.Message);
        await PersistAsync();
        return denied;
    }

    public async Task<OrderCommandResult> CancelOrderAsync(string orderId)
    {
        if (!S.IsOpen)
        {
            return OrderCommandResult.Denied(AccountErrorCodes.NotOpen, $"Account {AccountId} is not open.");
        }

        var result = await CancelCoreAsync(orderId);
        await PersistAsync();
        return result;
    }

    public async Task<IReadOnlyList<OrderCommandResult>> CancelAllAsync()
    {
        if (!S.IsOpen)
        {
            return [];
        }

        var results = new List<OrderCommandResult>();
        foreach (var orderId in S.WorkingOrders.Keys.Order(AccountOrderIds.ByNumber).ToList())
        {
            // An exit its parent's cancel already ended is reported as it stands, not as a refused cancel.
            results.Add(!S.WorkingOrders.ContainsKey(orderId) && View(orderId) is { } ended
                ? OrderCommandResult.Of(ended)
                : await CancelCoreAsync(orderId));
        }

        await PersistAsync();
        return results;
    }

    public async Task<IReadOnlyList<PositionCloseResult>> CloseAllPositionsAsync(bool cancelOrders)
    {
        if (!S.IsOpen)
        {
            return [];
        }

        if (cancelOrders)
        {
            await CancelAllAsync();
        }

        var results = new List<PositionCloseResult>();
        foreach (var symbol in Ledger.Positions.Values.Where(p => !p.IsFlat).Select(p => p.Symbol).Order(StringComparer.Ordinal).ToList())
        {
            results.Add(new PositionCloseResult(symbol, await ClosePositionAsync(symbol)));
        }

        return results;
    }

    public async Task<OrderCommandResult> ClosePositionAsync(string symbol)
    {
        if (!S.IsOpen)
        {
            return OrderCommandResult.Denied(AccountErrorCodes.NotOpen, $"Account {AccountId} is not open.");
        }

        var position = Ledger.PositionOf(symbol);
        if (position.IsFlat)
        {
            return OrderCommandResult.Denied(AccountErrorCodes.PositionFlat, $"No position in {symbol}.");
        }

        var command = new PlaceOrder
        {
            Origin = "close-position",
            Request = new OrderRequest
            {
                // A class share's '/' (BRK/B) is not a character the API takes in a client order id; the order number
                // keeps BRK/B's close apart from BRK.B's.
                ClientOrderId = $"close-{symbol.Replace('/', '.')}-{S.LastOrderNumber + 1}",
                Symbol = symbol,
                Side = position.Quantity > 0m ? OrderSide.Sell : OrderSide.Buy,
                Type = OrderType.Market,
                Quantity = Math.Abs(position.Quantity),
            },
        };

        // An earlier close whose write failed (its client order id differs from this one's) was never sent: it closes
        // nothing, and this close's write would reject it anyway. Counted below, it refused this close, and nothing closed.
        foreach (var unsentId in _unsentOrders?.Where(id => S.WorkingOrders.TryGetValue(id, out var w)
            && w.Order.Symbol == symbol && w.Order.Side == command.Request.Side).ToList() ?? [])
        {
            RejectUnsent(unsentId);
        }

        // Working orders that already close the position (a take-profit, a protective stop) would fill on top of the close
        // and leave the account short (long): a close never opens exposure, in a margin account either.
        // The exits of one group count once: only one of them can fill.
        var covered = S.WorkingOrders.Values
            .Where(w => w.Order.Symbol == symbol && w.Order.Side == command.Request.Side)
            .GroupBy(w => w.ReservationId ?? w.Order.OrderId, StringComparer.Ordinal)
            .Sum(g => Math.Min(g.Max(w => w.Order.LeavesQuantity), HeldExitsCover(g.First())));
        // HALTED refuses the close before anything else is judged, as the risk engine's first check would: refused as a
        // short instead, the trader cancelled the covering orders and the close was refused again, as halted.
        if (covered > 0m && EffectiveState != TradingState.Halted)
        {
            var closable = command.Request.Quantity - covered;
            return await DenyAsync(command, RiskDecision.Deny(RiskReasonCodes.ShortingNotAllowed,
                $"Working orders already {command.Request.Side.ToString().ToLowerInvariant()} {covered} of the {command.Request.Quantity} {symbol}: closing all of it as well would open a position the other way; cancel them first.",
                closable > 0m ? closable : null), time.GetUtcNow());
        }

        return await PlaceOrderAsync(command);
    }

    private const int MaxOrdersPage = 1000;

    public async Task<IReadOnlyList<AccountOrder>> GetOrdersAsync(OrderStatusFilter status, int limit, string? afterOrderId)
    {
        limit = Math.Clamp(limit, 0, MaxOrdersPage);
        var ids = status switch
        {
            OrderStatusFilter.Open => S.WorkingOrders.Keys,
            OrderStatusFilter.Closed => _history.ClosedOrderPages.Keys,
            _ => S.WorkingOrders.Keys.Concat(_history.ClosedOrderPages.Keys),
        };
        var wanted = ids
            .Where(id => afterOrderId is null || AccountOrderIds.Compare(id, afterOrderId) < 0)
            .OrderByDescending(id => id, AccountOrderIds.ByNumber)
            .Take(limit)
            .ToList();

        List<AccountOrder> result = [.. (await FindOrdersAsync(wanted)).OfType<AccountOrder>()];
        return await WithTrailingLevelsAsync(result);
    }

    public async Task<AccountOrder?> GetOrderAsync(string orderId) =>
        await FindOrderAsync(orderId) is { } order ? (await WithTrailingLevelsAsync([order]))[0] : null;

    public async Task<AccountOrderPage> GetOrderPageAsync(OrderStatusFilter status, int limit, string? afterOrderId)
    {
        var orders = await GetOrdersAsync(status, limit, afterOrderId);
        var endsTheList = orders.Count < Math.Clamp(limit, 0, MaxOrdersPage);

        // Ids run O000000001, O000000002, ...: below the page's last (or its cursor) the list is over, so an id given out there
        // that is not a working order is one the account no longer holds. Besides pruned history, a replace refused by an earlier
        // build (which took its number before its checks) left such a gap: only an account whose history was pruned is judged by it.
        var below = orders.Count > 0 ? orders[^1].OrderId : afterOrderId;
        var lowest = below is not null && AccountOrderIds.TryParseNumber(below, out var number) ? Math.Min(number, S.LastOrderNumber + 1) : S.LastOrderNumber + 1;
        var working = S.WorkingOrders.Keys.Count(id => AccountOrderIds.TryParseNumber(id, out var n) && n < lowest);
        return new AccountOrderPage
        {
            Orders = orders,
            Truncated = status != OrderStatusFilter.Open && endsTheList && S.FirstHistoryPage > 0 && lowest - 1 > working,
        };
    }

    public async Task<bool> IsOrderPastHistoryAsync(string orderId) =>
        AccountOrderIds.TryParseNumber(orderId, out var number) && number >= 1 && number <= S.LastOrderNumber && await FindOrderAsync(orderId) is null;

    public async Task<AccountOrder?> GetOrderByClientOrderIdAsync(string clientOrderId) =>
        _history.TryGetOrderId(clientOrderId, out var id) ? await FindOrderAsync(id) : null;

    /// <summary>
    /// The working trailing stops among <paramref name="views"/> with the level they stand at now. The broker moves that
    /// level with every trade and reports no change for it, so a query asks the broker: one order, or all open orders in
    /// one call. Without an answer in time the views go out as the account has them, and the query does not fail.
    /// </summary>
    private async Task<List<AccountOrder>> WithTrailingLevelsAsync(List<AccountOrder> views)
    {
        var trailing = views.Where(IsLiveTrailingStop).ToList();
        if (trailing.Count == 0 || _client is null)
        {
            return views;
        }

        IReadOnlyList<BrokerOrder> live;
        using var timeout = new CancellationTokenSource(TrailingLevelTimeout, time);
        try
        {
            live = trailing.Count == 1
                ? await _client.GetOrderAsync(trailing[0].BrokerOrderId!, timeout.Token) is { } one ? [one] : []
                : await _client.ListOpenOrdersAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            AccountLog.TrailingLevelsUnavailable(logger, AccountId, ex.Message);
            return views;
        }

        var marks = new Dictionary<string, BrokerOrder>(StringComparer.Ordinal);
        foreach (var order in live)
        {
            marks[order.OrderId] = order;
        }

        for (var i = 0; i < views.Count; i++)
        {
            if (IsLiveTrailingStop(views[i]) && marks.TryGetValue(views[i].BrokerOrderId!, out var broker) && broker.HighWaterMark is { } mark)
            {
                views[i] = views[i] with { StopPrice = broker.StopPrice, HighWaterMark = mark };
            }
        }

        return views;
    }

    private static bool IsLiveTrailingStop(AccountOrder view) =>
        view is { Type: OrderType.TrailingStop, InFlight: false, BrokerOrderId: not null } && view.Status.IsWorking();

    public async Task<IReadOnlyList<AccountFill>> GetFillsAsync(long afterSequence, int limit) =>
        await WithOrdersOriginAsync(
            await ReadHistoryAsync(afterSequence, limit, p => p.LastFillSequence, p => p.FillCount, p => p.Fills, _history.Fills, f => f.Sequence));

    /// <summary>
    /// Fills stored by builds before fills kept their order's origin take it from their order, working or closed (closed
    /// ones beyond the in-memory window from their pages, each page read once): the API promises null only for an order the
    /// account does not know, and those builds' fills otherwise all read null after an upgrade.
    /// </summary>
    private async Task<List<AccountFill>> WithOrdersOriginAsync(List<AccountFill> fills)
    {
        List<string> orderIds = [.. fills.Where(f => f.Origin is null).Select(f => f.OrderId).Distinct(StringComparer.Ordinal)];
        if (orderIds.Count == 0)
        {
            return fills;
        }

        var orders = await FindOrdersAsync(orderIds);
        var origins = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < orderIds.Count; i++)
        {
            origins[orderIds[i]] = orders[i]?.Origin;
        }

        for (var i = 0; i < fills.Count; i++)
        {
            if (fills[i].Origin is null && origins.GetValueOrDefault(fills[i].OrderId) is { } origin)
            {
                fills[i] = fills[i] with { Origin = origin };
            }
        }

        return fills;
    }

    public async Task<IReadOnlyList<JournalEntry>> GetJournalAsync(long afterSequence, int limit)
    {
        // Only written entries, as for events (see _storedJournalSequence).
        var entries = await ReadHistoryAsync(afterSequence, limit, p => p.LastJournalSequence, p => p.JournalCount, p => p.Journal, _history.Journal, j => j.Sequence);
        entries.RemoveAll(j => j.Sequence > _storedJournalSequence);
        return entries;
    }

    public async Task<AccountFillPage> GetFillPageAsync(long afterSequence, int limit)
    {
        var fills = await GetFillsAsync(afterSequence, limit);
        var oldest = OldestKept(p => p.LastFillSequence, p => p.FillCount, _history.Fills, f => f.Sequence, S.LastFillSequence);
        return new AccountFillPage
        {
            Fills = fills,
            OldestSequence = oldest,
            LastSequence = S.LastFillSequence,
            Truncated = IsPastKept(afterSequence, oldest, S.LastFillSequence),
        };
    }

    public async Task<JournalPage> GetJournalPageAsync(long afterSequence, int limit)
    {
        var entries = await GetJournalAsync(afterSequence, limit);
        var oldest = OldestKept(p => p.LastJournalSequence, p => p.JournalCount, _history.Journal, j => j.Sequence, _storedJournalSequence);
        return new JournalPage
        {
            Entries = entries,
            OldestSequence = oldest,
            LastSequence = _storedJournalSequence,
            Truncated = IsPastKept(afterSequence, oldest, _storedJournalSequence),
        };
    }

    /// <summary>
    /// The sequence of the oldest entry of a kind still kept (the next one's when none is): the first retained page that holds
    /// any, whose entries of the kind run without gaps up to its last, else the first in memory.
    /// </summary>
    private long OldestKept<T>(Func<HistoryPageSummary, long> lastInPage, Func<HistoryPageSummary, int> countInPage, List<T> inMemory, Func<T, long> sequence, long newest)
    {
        var page = _history.Pages.FirstOrDefault(p => countInPage(p) > 0);
        return page is not null ? lastInPage(page) - countInPage(page) + 1 : inMemory.Count > 0 ? sequence(inMemory[0]) : newest + 1;
    }

    /// <summary>
    /// Whether entries after <paramref name="afterSequence"/> are gone: older than the oldest kept, or the sequence is past
    /// the newest one given out (the account's storage was reset or restored), so what follows is not what the reader missed.
    /// Not <c>afterSequence + 1 &lt; oldest</c>: a sequence of long.MaxValue would overflow.
    /// </summary>
    private static bool IsPastKept(long afterSequence, long oldest, long newest) => afterSequence < oldest - 1 || afterSequence > newest;

    public async Task<AccountEventPage> GetEventsAsync(long afterSequence, int limit)
    {
        var oldestPage = _history.Pages.FirstOrDefault(p => p.EventCount > 0);
        var oldest = oldestPage is not null ? oldestPage.FirstEventSequence : _history.Events.Count > 0 ? _history.Events[0].Sequence : 0;
        var events = await ReadHistoryAsync(afterSequence, limit, p => p.LastEventSequence, p => p.EventCount, p => p.Events, _history.Events, e => e.Sequence);

        // Only persisted events: those still waiting for their write (a deferred broker acceptance) would give their
        // sequence to other events after a crash, and a reader resuming after it would skip those.
        var persisted = _unpublished.Count > 0 ? _unpublished[0].Sequence - 1 : S.LastEventSequence;
        events.RemoveAll(e => e.Sequence > persisted);
        return new AccountEventPage
        {
            Events = events,
            OldestSequence = oldest,
            LastSequence = persisted,
            // Not afterSequence + 1 < oldest: a reader's sequence of long.MaxValue overflowed into a false "truncated".
            Truncated = oldest > 0 && afterSequence < oldest - 1,
        };
    }

    /// <summary>
    /// Entries after a sequence number, oldest first: from the retained pages that are only in storage (those that reach past
    /// the sequence), then from memory.
    /// </summary>
    /// <remarks>
    /// The pages are read together, as many at a time as the page summaries' counts say the limit still needs (a page's
    /// count can only overstate what it holds past the sequence), so a query from the start of a long history costs a
    /// round trip or two rather than one per page, and no page is read that the limit would not reach.
    /// </remarks>
    private async Task<List<T>> ReadHistoryAsync<T>(
        long afterSequence, int limit, Func<HistoryPageSummary, long> lastInPage, Func<HistoryPageSummary, int> countInPage,
        Func<AccountHistoryPage, List<T>> entries, List<T> inMemory, Func<T, long> sequence)
    {
        limit = Math.Clamp(limit, 0, 10_000);
        var result = new List<T>();
        var next = 0;
        while (next < _history.PagesOnlyInStorage && result.Count < limit)
        {
            var numbers = new List<long>();
            for (var planned = 0; next < _history.PagesOnlyInStorage && planned < limit - result.Count; next++)
            {
                var summary = _history.Pages[next];
                if (lastInPage(summary) > afterSequence)
                {
                    numbers.Add(summary.Page);
                    planned += countInPage(summary);
                }
            }

            if (numbers.Count == 0)
            {
                break;
            }

            foreach (var page in await _store!.ReadPagesAsync(numbers))
            {
                result.AddRange(entries(page).Where(e => sequence(e) > afterSequence).Take(limit - result.Count));
            }
        }

        result.AddRange(inMemory.Where(e => sequence(e) > afterSequence).Take(limit - result.Count));
        return result;
    }

    /// <summary>An order's current view: working, closed in memory, or closed in a page only in storage.</summary>
    private async Task<AccountOrder?> FindOrderAsync(string orderId)
    {
        if (View(orderId) is { } view)
        {
            return view;
        }

        return _history.ClosedOrderPages.TryGetValue(orderId, out var page)
            ? FinalState(await _store!.ReadPageAsync(page), orderId)
            : null;
    }

    /// <summary>
    /// The current views of <paramref name="orderIds"/>, in their order (null for an order the account does not know):
    /// closed orders beyond the in-memory window from their pages, each page read once and all of them together.
    /// </summary>
    private async Task<AccountOrder?[]> FindOrdersAsync(IReadOnlyList<string> orderIds)
    {
        var views = new AccountOrder?[orderIds.Count];
        var pageOf = new long?[orderIds.Count];
        for (var i = 0; i < orderIds.Count; i++)
        {
            views[i] = View(orderIds[i]);
            if (views[i] is null && _history.ClosedOrderPages.TryGetValue(orderIds[i], out var number))
            {
                pageOf[i] = number;
            }
        }

        List<long> numbers = [.. pageOf.OfType<long>().Distinct()];
        if (numbers.Count == 0)
        {
            return views;
        }

        var read = await _store!.ReadPagesAsync(numbers);
        var pages = new Dictionary<long, AccountHistoryPage>(numbers.Count);
        for (var i = 0; i < numbers.Count; i++)
        {
            pages[numbers[i]] = read[i];
        }

        for (var i = 0; i < orderIds.Count; i++)
        {
            if (pageOf[i] is { } number)
            {
                views[i] = FinalState(pages[number], orderIds[i]);
            }
        }

        return views;
    }

    private static AccountOrder? FinalState(AccountHistoryPage page, string orderId) =>
        page.Events.LastOrDefault(e => e.Order is { } order && order.OrderId == orderId && order.Status.IsFinal())?.Order;

    private string NextOrderId() => AccountOrderIds.Format(++S.LastOrderNumber);

    /// <summary>
    /// The broker's own refusal of an order the domain's rules allow (e.g. Alpaca's extended hours only on DAY orders), as a
    /// denial; null when the broker takes it. Asked first, so the order is neither reserved nor sent only to be rejected.
    /// </summary>
    private RiskDecision? VenueRefusal(OrderRequest request) =>
        _client?.CheckOrderShape(request) is { } refused ? RiskDecision.Deny(refused.Code, refused.Message) : null;

    /// <summary>The risk check of an order under <paramref name="state"/>, the trading state its caller read once for the decision.</summary>
    private RiskDecision Evaluate(OrderRequest request, DateTimeOffset now, Domain.Market.QuoteTick? quote, string? excludeOrderId, TradingState state)
    {
        AlignSubmitsToClock(now);
        var window = Settings.RiskLimits.SubmitWindow;
        while (_recentSubmits.Count > 0 && _recentSubmits.Peek() <= now - window)
        {
            _recentSubmits.Dequeue();
        }

        var ledger = excludeOrderId is null ? Ledger : Ledger.Release(excludeOrderId);
        Valuation? valuation;
        string? valuationError;
        if (excludeOrderId is null)
        {
            valuation = Value();
            valuationError = _valuationError;
        }
        else
        {
            var valued = ledger.Value(_marks);
            valuation = valued.IsSuccess ? valued.Value : null;
            valuationError = ValuationError(valued);
        }

        return RiskEngine.Default.Evaluate(new RiskInput
        {
            Request = request,
            Now = now,
            TradingState = state,
            Limits = Settings.RiskLimits,
            Instrument = environment.Find(request.Symbol),
            Calendar = environment.Calendar,
            Quote = quote,
            LastPrice = _marks.TryGetValue(request.Symbol, out var last) ? last : null,
            Account = ledger,
            Valuation = valuation,
            // An account that cannot be valued denies what needs its valuation (opening orders) and names why.
            ValuationError = valuationError,
            FeeModel = _fees,
            OpenOrderCount = S.WorkingOrders.Count - (excludeOrderId is null ? 0 : 1),
            // The live queue, already pruned to the window: a copy would cost the whole window on every order.
            RecentSubmits = _recentSubmits,
        });
    }

    /// <summary>
    /// Moves the submit window's times by a wall-clock step since it last read the clock, so the window holds what was
    /// submitted in the elapsed time it spans: stepped forward an hour, the submits of the last minute no longer left the
    /// window at once (a second burst up to the limit); set back, they no longer sat ahead of the clock, uncounted (a
    /// second burst too) and kept for the hour. The domain's check keeps taking wall times, now of the clock as it reads.
    /// </summary>
    private void AlignSubmitsToClock(DateTimeOffset now)
    {
        var stepped = _submitsClock.StepTo(now);
        if (stepped == TimeSpan.Zero || _recentSubmits.Count == 0)
        {
            return;
        }

        var moved = _recentSubmits.ToList();
        _recentSubmits.Clear();
        foreach (var submitted in moved)
        {
            _recentSubmits.Enqueue(submitted + stepped);
        }
    }

    private async Task<OrderCommandResult> DenyAsync(PlaceOrder command, RiskDecision decision, DateTimeOffset now)
    {
        var orderId = NextOrderId();
        var denied = Order.Create(orderId, command.Request, now).Apply(OrderEvent.Deny, now, decision.Message);
        var order = denied.IsSuccess ? denied.Value! : Order.Create(orderId, command.Request, now) with { Status = OrderStatus.Denied };
        var view = Record(new WorkingOrder { Order = order, Origin = command.Origin }, OrderStatus.PendingNew, "denied", decision.ReasonCode, decision.Message);

        // A denial is recorded but does not claim the client order id: a retry is evaluated again.
        _history.ForgetClientOrderId(command.Request.ClientOrderId);
        await PersistAsync();
        AccountLog.Denied(logger, AccountId, command.Request.ClientOrderId, command.Request.Symbol, decision.ReasonCode, decision.Message);
        return OrderCommandResult.Denied(decision.ReasonCode, decision.Message, decision.MaxQuantity, view, decision.Causes);
    }

    private async Task<AccountOrder> SubmitToBrokerAsync(string orderId, OrderRequest request)
    {
        try
        {
            var broker = await _client!.SubmitOrderAsync(request);
            NoteOutcome(false);
            if (EarlierOrderOfTheSameId(orderId, broker) is { } reused)
            {
                Transition(orderId, OrderEvent.Reject, "rejected", reused);
                AccountLog.Rejected(logger, AccountId, orderId, request.ClientOrderId, reused);
                await PersistAsync();
                return View(orderId)!;
            }

            ApplyBrokerOrder(orderId, broker, "accepted");

            // The order is stored in flight already (write-ahead), and reconciliation finds it at the broker by client
            // order id after a crash: the acceptance rides with the next write (the fill, at once for a marketable
            // order), the signal tick or the deactivation. Its events wait for that write.
            _persistDeferred = true;
            return View(orderId)!;
        }
        catch (BrokerException ex) when (NotSentOrRefused(ex))
        {
            NoteOutcome(true);
            Transition(orderId, OrderEvent.Reject, "rejected", ex.Message);
            AccountLog.Rejected(logger, AccountId, orderId, request.ClientOrderId, ex.Message);
        }
        catch (Exception ex)
        {
            // Unknown outcome: the order stays in flight (reserved) until reconciliation finds it by client order id.
            NoteOutcome(true);
            if (S.WorkingOrders.TryGetValue(orderId, out var working))
            {
                Record(working, working.Order.Status, "in-flight", null, ex.Message);
            }

            AccountLog.BrokerOutcomeUnknown(logger, ex, AccountId, orderId, request.ClientOrderId);
        }

        await PersistAsync();
        return View(orderId)!;
    }

    /// <summary>
    /// Why the broker's answer to a submit is not this order, or null when it is. The broker answers a client order id it
    /// knows with the order it holds (a retry after a lost answer); one it made well before this order was accepted is an
    /// earlier order of the same id that the account's history no longer holds (the paper venue keeps final orders for
    /// PaperExchange:FinalOrderRetention, the account a bounded history). Adopted, this order waited for that order's fills for good, holding its reservation.
    /// The minute allows for a venue's clock running behind the silo's.
    /// </summary>
    private string? EarlierOrderOfTheSameId(string orderId, BrokerOrder broker) =>
        S.WorkingOrders.TryGetValue(orderId, out var working) && broker.CreatedAt < working.Order.CreatedAt - TimeSpan.FromMinutes(1)
            ? $"{OrderErrorCodes.ClientOrderIdReused}: the broker already holds order {broker.OrderId} ({broker.Status}), placed with client order id "
                + $"{broker.ClientOrderId} at {broker.CreatedAt:O}, which this account no longer remembers; place it again with a new client order id."
            : null;

    /// <summary>Takes the broker's view of one of our orders: its id, acceptance, and final states other than fills.</summary>
    private void ApplyBrokerOrder(string orderId, BrokerOrder broker, string action)
    {
        if (!S.WorkingOrders.TryGetValue(orderId, out var working))
        {
            return;
        }

        var wasInFlight = working.InFlight || working.BrokerOrderId is null;
        working = working with { BrokerOrderId = broker.OrderId, InFlight = false };
        S.WorkingOrders[orderId] = working;
        _inFlightClocks.Remove(orderId);
        AdoptLegs(orderId, broker);
        if (SyncGroupQuantity(orderId, broker) || SyncReplacementQuantity(orderId, broker))
        {
            working = S.WorkingOrders[orderId];
        }

        // A replace whose answer was lost: the broker did replace it. The old order ends (and frees its reservation).
        if (broker.Status == OrderStatus.Replaced && EndReplaced(orderId, action, broker.ReplacedByOrderId))
        {
            return;
        }

        var evt = broker.Status switch
        {
            OrderStatus.Rejected => OrderEvent.Reject,
            OrderStatus.Canceled => OrderEvent.Canceled,
            OrderStatus.Expired => OrderEvent.Expire,
            OrderStatus.Accepted or OrderStatus.PartiallyFilled or OrderStatus.Filled or OrderStatus.PendingCancel
                or OrderStatus.PendingReplace or OrderStatus.Replaced when working.Order.Status == OrderStatus.PendingNew => OrderEvent.Accept,

            // A replace or cancel whose outcome was unknown and that the broker shows did not take: the order works on.
            OrderStatus.Accepted or OrderStatus.PartiallyFilled when working.Order.Status == OrderStatus.PendingReplace => OrderEvent.ReplaceRejected,
            OrderStatus.Accepted or OrderStatus.PartiallyFilled when working.Order.Status == OrderStatus.PendingCancel => OrderEvent.CancelRejected,
            _ => (OrderEvent?)null,
        };
        if (EndsBeforeItsFills(evt, broker.FilledQuantity, working))
        {
            evt = null;
        }

        if (evt is { } e && Transition(orderId, e, action, broker.Reason))
        {
            return;
        }

        if (wasInFlight)
        {
            Record(working, working.Order.Status, action, null, "broker order " + broker.OrderId);
        }
    }

    /// <summary>
    /// Ends an order pending replace Replaced without the replace's answer (lost, or overtaken by the broker's report or
    /// list): it names its replacement, the order here that replaces it, as an answered replace does. False when the order
    /// is not pending replace.
    /// </summary>
    private bool EndReplaced(string orderId, string action, string? brokerReplacedBy)
    {
        if (!S.WorkingOrders.TryGetValue(orderId, out var working) || working.Order.Status != OrderStatus.PendingReplace
            || working.Order.Apply(OrderEvent.Replaced, time.GetUtcNow()) is not { IsSuccess: true } replaced)
        {
            return false;
        }

        var by = S.WorkingOrders.Values.FirstOrDefault(w => w.Order.ReplacesOrderId == orderId)?.Order.OrderId;
        Record(working with { Order = replaced.Value! with { ReplacedByOrderId = by }, InFlight = false }, working.Order.Status, action, null,
            "by " + (by ?? brokerReplacedBy));
        return true;
    }

    /// <summary>
    /// An end (canceled, expired, rejected) the broker reports with fills not booked here yet: applied now, it would close
    /// the order to those fills, which then come for an ended order. The order ends once they are in (the broker's next
    /// report of the end, or the next reconciliation), since answers and reports of one order can arrive in either order.
    /// </summary>
    private static bool EndsBeforeItsFills(OrderEvent? evt, decimal brokerFilled, WorkingOrder working) =>
        evt is OrderEvent.Canceled or OrderEvent.Expire or OrderEvent.Reject && brokerFilled > working.Order.FilledQuantity;

    /// <summary>Applies a domain order event and records it; false when the state machine refuses it.</summary>
    private bool Transition(string orderId, OrderEvent evt, string action, string? detail)
    {
        if (!S.WorkingOrders.TryGetValue(orderId, out var working))
        {
            return false;
        }

        var next = working.Order.Apply(evt, time.GetUtcNow(), detail);
        if (!next.IsSuccess)
        {
            AccountLog.TransitionRefused(logger, AccountId, orderId, evt.ToString(), next.Error!.Message);
            return false;
        }

        Record(working with { Order = next.Value!, InFlight = false }, working.Order.Status, action, null, detail);
        return true;
    }

    private void CompleteReplace(string oldOrderId, string newOrderId, BrokerOrder broker)
    {
        if (S.WorkingOrders.TryGetValue(oldOrderId, out var old))
        {
            var replaced = old.Order.Apply(OrderEvent.Replaced, time.GetUtcNow());
            if (replaced.IsSuccess)
            {
                Record(old with { Order = replaced.Value! with { ReplacedByOrderId = newOrderId } }, old.Order.Status, "replaced", null, "by " + newOrderId);
            }
        }

        ApplyBrokerOrder(newOrderId, broker, "accepted");
    }

    /// <summary>
    /// The venue sized a replacement from the fills it knows (a fill of the old order may still be on its way here): the
    /// account's replacement is the venue's, or it would wait forever for quantity that will never fill. Taken from the
    /// replace's answer, and equally from the report or reconciliation that brings a replacement whose answer was lost.
    /// True when it changed.
    /// </summary>
    private bool SyncReplacementQuantity(string orderId, BrokerOrder broker)
    {
        if (!S.WorkingOrders.TryGetValue(orderId, out var fresh) || fresh.Order.ReplacesOrderId is null || IsGroupMember(fresh)
            || fresh.Order.Status.IsFinal() || broker.Quantity <= 0m || broker.Quantity == fresh.Order.Quantity
            || broker.Quantity < fresh.Order.FilledQuantity)
        {
            return false;
        }

        // Journaled, as every change of an order is.
        Record(fresh with { Order = fresh.Order.Resized(broker.Quantity, time.GetUtcNow()) },
            fresh.Order.Status, ResizedAction, null, ResizedDetail(fresh.Order.Quantity, broker.Quantity));

        // Its reservation follows (same price, the fee in proportion): held for the quantity asked, it would keep buying
        // power from the account that the order can never use, for as long as it works.
        var leaves = broker.Quantity - fresh.Order.FilledQuantity;
        if (Ledger.Reservations.TryGetValue(orderId, out var held) && held.Price is { } price && held.RemainingQuantity > 0m
            && held.RemainingQuantity == fresh.Order.LeavesQuantity)
        {
            var fee = held.EstimatedFee * leaves / held.RemainingQuantity;
            var resized = Ledger.Release(orderId).Reserve(orderId, held.Symbol, held.Side, leaves, (leaves * price) + fee, price, fee);
            if (resized.IsSuccess)
            {
                Ledger = resized.Value!;
            }
        }

        return true;
    }

    private async Task<OrderCommandResult> CancelCoreAsync(string orderId)
    {
        if (!S.WorkingOrders.TryGetValue(orderId, out var working))
        {
            return await FindOrderAsync(orderId) is { } closed
                ? OrderCommandResult.Denied(AccountErrorCodes.OrderNotCancelable, $"Order {orderId} is {closed.Status}.", order: closed)
                : OrderCommandResult.Denied(AccountErrorCodes.OrderNotFound, $"No order {orderId}.");
        }

        if (working.Order.Status == OrderStatus.PendingReplace && _unsentOrders is { Count: > 0 } && RejectUnsentReplacementOf(orderId))
        {
            // Its replace never reached the broker: the order is canceled there as any working order is.
            working = S.WorkingOrders[orderId];
        }

        if (OrderReplaceRules.CheckCancel(working.Order) is { } rule)
        {
            return OrderCommandResult.Denied(rule.Code, rule.Message, order: ToView(working));
        }

        if (_unsentOrders is { Count: > 0 } && _unsentOrders.Remove(orderId))
        {
            // Never sent (its placement's or replace's write failed): nothing to cancel at the broker; a replace ends with it.
            Transition(orderId, OrderEvent.Canceled, "canceled", "Canceled before it was sent to the broker.");
            RestoreUnsentReplaced(working.Order.ReplacesOrderId);
            return OrderCommandResult.Of(View(orderId)!);
        }

        if (_client is null || working.BrokerOrderId is null)
        {
            return OrderCommandResult.Denied(AccountErrorCodes.OrderNotCancelable,
                $"Order {orderId} is not confirmed by the broker yet; reconciliation resolves it first.", order: ToView(working));
        }

        Transition(orderId, OrderEvent.CancelRequest, "cancel-requested", null);
        await PersistAsync();
        try
        {
            var broker = await _client.CancelOrderAsync(working.BrokerOrderId);
            NoteOutcome(false);

            // The answer can overtake the report of a fill made before the cancel: the order stays PendingCancel till then.
            if (broker.Status == OrderStatus.Canceled
                && !(S.WorkingOrders.TryGetValue(orderId, out var current) && EndsBeforeItsFills(OrderEvent.Canceled, broker.FilledQuantity, current)))
            {
                Transition(orderId, OrderEvent.Canceled, "canceled", broker.Reason);

                // The venue ends a group's exits with their parent: the account's exits end now too, or they would show
                // working (and a cancel of their own be refused as final) until the venue's report of it arrives.
                foreach (var leg in broker.Legs.Where(l => l.Status.IsFinal()))
                {
                    if (_history.TryGetOrderId(leg.ClientOrderId, out var legId))
                    {
                        ApplyBrokerOrder(legId, leg, "canceled");
                    }
                }
            }
        }
        catch (BrokerException ex) when (NotSentOrRefused(ex))
        {
            // The order works on at the venue: left PendingCancel till reconciliation, a second cancel of it would be refused.
            NoteOutcome(true);
            Transition(orderId, OrderEvent.CancelRejected, "cancel-rejected", ex.Message);
        }
        catch (Exception ex)
        {
            NoteOutcome(true);
            AccountLog.BrokerOutcomeUnknown(logger, ex, AccountId, orderId, working.Order.ClientOrderId);
        }

        return View(orderId) is { } view ? OrderCommandResult.Of(view) : OrderCommandResult.Denied(AccountErrorCodes.OrderNotFound, $"No order {orderId}.");
    }

    /// <summary>
    /// A broker failure after which the venue certainly did not act: refused, unknown there, throttled, or never delivered
    /// (Unavailable: a circuit open, a refused connection, a read before the request that failed). Only OutcomeUnknown, or
    /// a failure that is no BrokerException, leaves an order in flight for reconciliation.
    /// </summary>
    private static bool NotSentOrRefused(BrokerException ex) =>
        ex.Kind is BrokerErrorKind.Rejected or BrokerErrorKind.NotFound or BrokerErrorKind.RateLimited or BrokerErrorKind.Unavailable;

    private void NoteOutcome(bool isError)
    {
        BrokerOutcomeWindow.Add(_brokerOutcomes, new BrokerOutcome(time.GetUtcNow(), isError));
        if (_brokerOutcomes.Count > 10_000)
        {
            _brokerOutcomes.RemoveRange(0, _brokerOutcomes.Count - 10_000);
        }
    }
}
