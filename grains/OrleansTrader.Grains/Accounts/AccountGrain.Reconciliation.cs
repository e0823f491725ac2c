using System.Globalization;
using OrleansTrader.Brokers;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// Reconciliation with the broker (at activation, on a timer and on demand): resolves in-flight orders by client order id,
/// syncs order states, back-fills missed executions, compares positions, and trips REDUCING on what it cannot explain.
/// </summary>
internal sealed partial class AccountGrain
{
    private static readonly TimeSpan BackfillOverlap = TimeSpan.FromMinutes(5);

    // How far before the newest execution the previous back-fill saw the next one asks again: an execution shows in the
    // broker's list moments after its own time, so a minute leaves a wide margin.
    private static readonly TimeSpan BackfillRecheck = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The newest execution time (the broker's clock) the last back-fill of this activation returned: everything before
    /// it, less <see cref="BackfillRecheck"/>, has been compared. Not stored: a new activation goes back the full overlap.
    /// </summary>
    private DateTimeOffset? _backfilledThrough;

    /// <summary>
    /// The newest applied execution's time as this activation read it from storage: its back-fills start from it, not from
    /// <see cref="AccountState.LastExecutionAt"/>, which the stream's replay at activation, or a fill reported while no
    /// reconciliation went through, moves on past an execution missed before them (never back-filled, a position mismatch).
    /// </summary>
    private DateTimeOffset? _lastExecutionAtActivation;

    // Exits an older build left unknown exist from the start: looked for once an activation, not at every reconciliation
    // (a listing of the broker's open orders more each time).
    private bool _endedOrdersExitsAdopted;

    // The reported corrections the core record keeps (written on every order): past this many in the back-fill window (a
    // broker correcting fills wholesale) the first reported go, and may be reported again.
    private const int ReportedCorrectionsKept = 32;

    public async Task<ReconciliationReport> ReconcileAsync()
    {
        var report = await ReconcileCoreAsync();
        await PersistAsync();
        return report;
    }

    private async Task ReconcileTickAsync(CancellationToken cancellationToken)
    {
        if (!S.IsOpen || _client is null)
        {
            return;
        }

        try
        {
            // Like the signal tick, a reconciliation that changed nothing writes nothing (a change it makes records an
            // event, moves the ledger or counts as resolved): a deferred acceptance waits for the next change, the signal
            // tick or the deactivation, as it would without this tick.
            var sequence = S.LastEventSequence;
            var ledger = S.Ledger;
            var corrections = S.ReportedCorrections;
            var report = await ReconcileCoreAsync();
            if (report.ResolvedOrders > 0 || report.BackfilledFills > 0 || sequence != S.LastEventSequence || !ReferenceEquals(ledger, S.Ledger)
                || !ReferenceEquals(corrections, S.ReportedCorrections) || _persistIncomplete || HasUnsavedNotices())
            {
                await PersistAsync();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AccountLog.ReconcileFailed(logger, ex, AccountId);
        }
    }

    private async Task<ReconciliationReport> ReconcileCoreAsync()
    {
        var now = time.GetUtcNow();
        if (!S.IsOpen || _client is null)
        {
            return new ReconciliationReport { At = now, Mismatches = [_clientError ?? "The account is not open."] };
        }

        // A fill back-filled after midnight, before the signal tick rolled the day, belongs to the new day (as a reported
        // one does): booked first, it counted in the day that ended.
        await RollDayBeforeBookingAsync();

        // Fills first: an order the broker ended after fills this account missed (partly filled, then canceled or expired)
        // takes its fills while it is still working here, and only then its end; ended first, its fills would arrive for a
        // closed order and trip REDUCING.
        var inFlight = S.WorkingOrders.Values.Where(w => w.InFlight).Select(w => w.Order.OrderId).ToHashSet(StringComparer.Ordinal);

        // The exits of a bracket, OCO or OTO whose submit answer was lost are known only from the order at the broker: they
        // are adopted before the back-fill, or an exit's fill made meanwhile would come for an unknown order (REDUCING).
        foreach (var working in S.WorkingOrders.Values.Where(w => (w.InFlight || w.BrokerOrderId is null) && w.Order.Request.OrderClass != OrderClass.Simple).ToList())
        {
            if (await _client.GetOrderByClientOrderIdAsync(working.Order.ClientOrderId) is { } group)
            {
                AdoptLegs(working.Order.OrderId, group);
            }
        }

        if (!_endedOrdersExitsAdopted)
        {
            await AdoptExitsOfEndedOrdersAsync();
            _endedOrdersExitsAdopted = true;
        }

        var reportedCorrections = S.ReportedCorrections;
        var backfilled = await BackfillAsync(now, compareBooked: true);
        var resolved = 0;
        var open = (await _client.ListOpenOrdersAsync()).ToDictionary(o => o.ClientOrderId, StringComparer.Ordinal);
        foreach (var working in S.WorkingOrders.Values.ToList())
        {
            if (_unsentOrders is { Count: > 0 } && _unsentOrders.Contains(working.Order.OrderId))
            {
                // Known never sent (its placement's or replace's write failed): the next write that goes through rejects it.
                continue;
            }

            var broker = open.GetValueOrDefault(working.Order.ClientOrderId)
                ?? await _client.GetOrderByClientOrderIdAsync(working.Order.ClientOrderId);
            if (broker is null)
            {
                if (working.InFlight || working.BrokerOrderId is null)
                {
                    // A submit that timed out can still be taken by the venue moments later: rejected then, its fills would
                    // come for a closed order. It stays in flight (and reserved) until found or the grace is over.
                    if (InFlightFor(working.Order, now) >= _options.InFlightGrace)
                    {
                        // The ambiguous submit never reached the broker: nothing was sent, so the reservation is released.
                        Transition(working.Order.OrderId, OrderEvent.Reject, "reconciled", "Not found at the broker after an ambiguous submit.");
                        resolved++;
                    }
                }
                else
                {
                    _mismatches.Add($"Working order {working.Order.OrderId} ({working.Order.ClientOrderId}) is unknown at the broker.");
                }

                continue;
            }

            var before = S.WorkingOrders.GetValueOrDefault(working.Order.OrderId);
            if (before?.Order.Status == OrderStatus.PendingReplace && broker.Status is OrderStatus.Accepted or OrderStatus.PartiallyFilled
                && S.WorkingOrders.Values.Any(w => w.Order.ReplacesOrderId == before.Order.OrderId && w.InFlight
                    && (InFlightFor(w.Order, now) < _options.InFlightGrace || _unsentOrders?.Contains(w.Order.OrderId) == true)))
            {
                // The replacement is still given time to appear: the venue may yet take the replace, so the old order is
                // not set back to working (it would then ignore the venue's "replaced" and work on beside its replacement).
                // A replacement known unsent (its write failed) is left, with the old order, to the next write that goes through.
                continue;
            }

            if (broker.Status == OrderStatus.Replaced && before?.Order.Status != OrderStatus.PendingReplace)
            {
                // Replaced by a replace this account never sent (by hand at the broker): the broker works a replacement
                // unknown here, and this order, not working there any more, would stay working here with its reservation.
                _mismatches.Add($"Order {working.Order.OrderId} ({working.Order.ClientOrderId}) was replaced at the broker by "
                    + $"{broker.ReplacedByOrderId ?? "an order"} that this account did not send.");

                // Ended replaced, as the broker shows it (one journal entry), which frees its reservation.
                if (before is { } known && known.Order.Apply(OrderEvent.ReplaceRequest, now) is { IsSuccess: true } pending
                    && pending.Value!.Apply(OrderEvent.Replaced, now) is { IsSuccess: true } replaced)
                {
                    Record(known with { Order = replaced.Value!, InFlight = false }, known.Order.Status, "reconciled", null,
                        "replaced at the broker by " + (broker.ReplacedByOrderId ?? "an order") + " this account did not send");
                    resolved++;
                }

                continue;
            }

            ApplyBrokerOrder(working.Order.OrderId, broker, "reconciled");
            if (working.InFlight || inFlight.Contains(working.Order.OrderId) || before != S.WorkingOrders.GetValueOrDefault(working.Order.OrderId))
            {
                resolved++;
            }
        }

        // A working order at the broker that is none of this account's (placed by hand, by another tool on the key): it
        // can fill at any moment, and its fill would be an execution for an unknown order. Said now, before it fills.
        foreach (var foreign in open.Values.Where(o => FindOrder(o) is null).OrderBy(o => o.ClientOrderId, StringComparer.Ordinal))
        {
            _mismatches.Add($"Order {foreign.OrderId} ({foreign.ClientOrderId}, {foreign.Side} {foreign.Quantity} {foreign.Symbol}) works at the broker "
                + "and is unknown here.");
        }

        ForgetInFlightClocksOfAnsweredOrders();
        backfilled += await CheckPositionsAsync();
        var mismatches = _mismatches.ToList();
        var tripped = mismatches.Count > 0 && _accountBreaker.State == Domain.Breaker.TradingState.Active;
        try
        {
            await TripOnMismatchAsync();
        }
        catch
        {
            // The trip took the mismatches and failed: a correction it carried is not kept as reported, so the next
            // reconciliation reports it (and trips) again instead of never.
            S.ReportedCorrections = reportedCorrections;
            throw;
        }
        if (backfilled > 0 || resolved > 0)
        {
            AccountLog.Reconciled(logger, AccountId, backfilled, resolved);
        }

        return new ReconciliationReport
        {
            At = now,
            BackfilledFills = backfilled,
            ResolvedOrders = resolved,
            Mismatches = mismatches,
            TrippedBreaker = tripped,
        };
    }

    /// <summary>
    /// How long an order has waited for the broker's answer, as elapsed time from when this activation created or first saw
    /// it: two wall times compared, a clock stepped forward (NTP, a host resumed after a pause) rejected an ambiguous submit
    /// the venue could still take, whose fills then came for a closed order, and one set back an hour held it, and its
    /// reservation, an hour longer. An order from an earlier activation is credited the age its stored time gives when first
    /// seen (none when that time is ahead of the clock, so it waits the whole grace), the only clock that survives a restart.
    /// </summary>
    private TimeSpan InFlightFor(Order order, DateTimeOffset now)
    {
        if (!_inFlightClocks.TryGetValue(order.OrderId, out var clock))
        {
            var age = now - order.CreatedAt;
            clock = (time.GetTimestamp(), age > TimeSpan.Zero ? age : TimeSpan.Zero);
            _inFlightClocks[order.OrderId] = clock;
        }

        return clock.AgeThen + time.GetElapsedTime(clock.SeenAt);
    }

    private void ForgetInFlightClocksOfAnsweredOrders()
    {
        foreach (var orderId in _inFlightClocks.Keys.ToList())
        {
            if (!S.WorkingOrders.TryGetValue(orderId, out var working) || !(working.InFlight || working.BrokerOrderId is null))
            {
                _inFlightClocks.Remove(orderId);
            }
        }
    }

    /// <summary>
    /// Adopts the working exits the broker lists for one of the account's orders that no longer works here: builds before
    /// bracket, OCO and OTO orders were kept placed them but stored no exits, so after an upgrade the venue's exits were
    /// unknown and a fill of one tripped REDUCING. A working order without a parent the account knows stays unknown.
    /// </summary>
    private async Task AdoptExitsOfEndedOrdersAsync()
    {
        var orphans = (await _client!.ListOpenOrdersAsync())
            .Where(o => o.ParentOrderId is not null && FindOrder(o) is null)
            .GroupBy(o => o.ParentOrderId!, StringComparer.Ordinal)
            .ToList();
        foreach (var exits in orphans)
        {
            if (await _client.GetOrderAsync(exits.Key) is not { } group || !_history.TryGetOrderId(group.ClientOrderId, out var parentOrderId))
            {
                continue;
            }

            if (S.WorkingOrders.ContainsKey(parentOrderId))
            {
                AdoptLegs(parentOrderId, group);
            }
            else if (await FindOrderAsync(parentOrderId) is { } ended)
            {
                AdoptExitsOfEndedOrder(ended, group, [.. exits]);
            }
        }
    }

    /// <param name="compareBooked">Whether executions already booked are compared with the broker's listing of them (not on
    /// the position check's second read, which lists the same ones again).</param>
    private async Task<int> BackfillAsync(DateTimeOffset now, bool compareBooked = false)
    {
        // Not again over what an earlier back-fill compared: a busy account would otherwise fetch (and the paper venue read
        // from its archive) five minutes of executions on every reconciliation, twice.
        var executions = await _client!.GetExecutionsSinceAsync(BackfillStart());
        if (compareBooked)
        {
            ReportCorrectedExecutions(executions);
        }

        var count = 0;

        // The window reaches minutes back, so nearly every execution is applied already: only the others are sorted (a
        // stable sort of the unknown ones keeps their order in the whole list). Applying one can make a repeat of it
        // known, hence the check in the loop as well.
        foreach (var execution in executions.Where(e => !_history.HasExecution(e.ExecutionId)).OrderBy(e => e.Timestamp))
        {
            if (_history.HasExecution(execution.ExecutionId))
            {
                continue;
            }

            var orderId = _history.TryGetOrderId(execution.ClientOrderId, out var known) ? known : null;
            var brokerOrder = new BrokerOrder
            {
                OrderId = execution.OrderId,
                ClientOrderId = execution.ClientOrderId,
                Symbol = execution.Symbol,
                Side = execution.Side,
                Type = OrderType.Market,
                TimeInForce = TimeInForce.Day,
                Quantity = execution.Quantity,
                Status = OrderStatus.Filled,
                CreatedAt = execution.Timestamp,
                UpdatedAt = now,
            };
            if (ApplyExecution(orderId, execution, brokerOrder))
            {
                count++;
            }
        }

        if (executions.Count > 0)
        {
            var newest = executions.Max(e => e.Timestamp);
            _backfilledThrough = _backfilledThrough > newest ? _backfilledThrough : newest;
        }

        if (compareBooked)
        {
            ForgetCorrectionsOutOfReach();
        }

        return count;
    }

    /// <summary>
    /// Where this activation's next back-fill starts: a minute before the newest execution an earlier one saw, else a few
    /// minutes before the newest applied as the activation read it.
    /// </summary>
    private DateTimeOffset BackfillStart()
    {
        var since = BackfillReach(_lastExecutionAtActivation);
        return _backfilledThrough is { } through && through - BackfillRecheck > since ? through - BackfillRecheck : since;
    }

    /// <summary>
    /// Where a back-fill starts, a few minutes before the newest applied execution (<paramref name="lastExecutionAt"/>), and
    /// never before the executions whose ids left with the retention (a very busy account, or a short retention): their ids
    /// no longer mark them applied, so they would be booked twice. One missed that long ago shows as a position mismatch.
    /// </summary>
    private DateTimeOffset BackfillReach(DateTimeOffset? lastExecutionAt)
    {
        var since = (lastExecutionAt ?? S.OpenedAt) - BackfillOverlap;
        return S.ExecutionsForgottenThrough is { } forgotten && forgotten >= since ? forgotten.AddTicks(1) : since;
    }

    /// <summary>
    /// A booked execution the broker now lists with another quantity or price (a correction keeps the execution's id, so the
    /// back-fill skipped it as applied): the books keep what was booked, and the difference is a mismatch naming both. A
    /// price correction moves no position, so without this it went unseen, the cash and P&amp;L off by the difference. Only
    /// fills still held in memory (the latest <c>HistoryPagesInMemory</c> pages) are compared. Each correction is reported
    /// once, across activations (<see cref="AccountState.ReportedCorrections"/>): the account cannot book it, so it would
    /// otherwise trip again at every reconciliation after a reset and, remembered in memory only, at every activation while
    /// the execution is in the back-fill window.
    /// </summary>
    private void ReportCorrectedExecutions(IReadOnlyList<Execution> executions)
    {
        Dictionary<string, AccountFill>? booked = null;
        foreach (var execution in executions)
        {
            if (!_history.HasExecution(execution.ExecutionId))
            {
                continue;
            }

            booked ??= IndexFillsInMemory();
            if (booked.TryGetValue(execution.ExecutionId, out var fill) && (fill.Quantity != execution.Quantity || fill.Price != execution.Price)
                && !WasReported(execution))
            {
                KeepReported(execution);
                _mismatches.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Execution {execution.ExecutionId} of order {fill.OrderId} ({fill.ClientOrderId}) was booked as {fill.Quantity} {fill.Symbol} @ {fill.Price}; the broker now shows {execution.Quantity} @ {execution.Price}."));
            }
        }
    }

    /// <summary>Whether this very correction (the execution with this quantity and price) has been reported.</summary>
    private bool WasReported(Execution execution)
    {
        foreach (var reported in S.ReportedCorrections ?? [])
        {
            if (reported.ExecutionId == execution.ExecutionId)
            {
                return reported.Quantity == execution.Quantity && reported.Price == execution.Price;
            }
        }

        return false;
    }

    /// <summary>Keeps the correction as the execution's reported one (in place of an earlier correction of it).</summary>
    private void KeepReported(Execution execution)
    {
        var kept = new List<ReportedCorrection>((S.ReportedCorrections?.Count ?? 0) + 1);
        foreach (var reported in S.ReportedCorrections ?? [])
        {
            if (reported.ExecutionId != execution.ExecutionId)
            {
                kept.Add(reported);
            }
        }

        kept.Add(new ReportedCorrection
        {
            ExecutionId = execution.ExecutionId,
            Quantity = execution.Quantity,
            Price = execution.Price,
            Timestamp = execution.Timestamp,
        });
        if (kept.Count > ReportedCorrectionsKept)
        {
            kept.RemoveRange(0, kept.Count - ReportedCorrectionsKept);
        }

        S.ReportedCorrections = kept;
    }

    /// <summary>
    /// Drops the reported corrections of executions before the back-fill's reach, this activation's next one and a new
    /// activation's: no reconciliation lists them again, and the core record carries what is kept on every write.
    /// </summary>
    private void ForgetCorrectionsOutOfReach()
    {
        if (S.ReportedCorrections is not { } reported)
        {
            return;
        }

        var reach = BackfillReach(S.LastExecutionAt);
        if (BackfillStart() is var next && next < reach)
        {
            reach = next;
        }

        if (reported.Any(c => c.Timestamp < reach))
        {
            var kept = reported.Where(c => c.Timestamp >= reach).ToList();
            S.ReportedCorrections = kept.Count > 0 ? kept : null;
        }
    }

    private Dictionary<string, AccountFill> IndexFillsInMemory()
    {
        var index = new Dictionary<string, AccountFill>(_history.Fills.Count, StringComparer.Ordinal);
        foreach (var fill in _history.Fills)
        {
            index.TryAdd(fill.ExecutionId, fill);
        }

        return index;
    }

    /// <summary>
    /// Compares positions with the broker's. Executions are read again afterwards: when new ones arrived meanwhile the
    /// comparison is inconclusive (not a mismatch) and the next round decides.
    /// </summary>
    /// <returns>The executions the second read booked (counted in the report as back-filled like the first read's).</returns>
    private async Task<int> CheckPositionsAsync()
    {
        var positions = await _client!.GetPositionsAsync();
        var before = _history.ExecutionCount;
        var backfilled = await BackfillAsync(time.GetUtcNow());
        if (backfilled > 0 || before != _history.ExecutionCount)
        {
            return backfilled;
        }

        var theirs = positions.Where(p => p.Quantity != 0m).ToDictionary(p => p.Symbol, p => p.Quantity, StringComparer.Ordinal);
        var ours = Ledger.Positions.Values.Where(p => !p.IsFlat).ToDictionary(p => p.Symbol, p => p.Quantity, StringComparer.Ordinal);
        foreach (var symbol in theirs.Keys.Union(ours.Keys).Order(StringComparer.Ordinal))
        {
            var a = ours.GetValueOrDefault(symbol);
            var b = theirs.GetValueOrDefault(symbol);
            if (a != b)
            {
                _mismatches.Add($"Position in {symbol} is {a} here and {b} at the broker.");
            }
        }

        return 0;
    }
}
