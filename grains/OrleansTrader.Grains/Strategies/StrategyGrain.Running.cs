using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Strategies;

/// <summary>The running strategy: subscriptions, market data, account events and intent dispatch.</summary>
internal sealed partial class StrategyGrain
{
    /// <summary>
    /// Restores the stored snapshot, a built-in kind's or a registered kind's. One that no longer reads (its state type
    /// changed incompatibly, or its Restore refuses it: a period it was not taken with, a window that does not add up) stops
    /// the strategy with the reason, rather than trading from a state it does not have: whatever Restore throws (a null
    /// member dereferenced threw on, out of every start and activation, and so did a built-in kind's refusal, which failed
    /// the status, stop and delete of the strategy too). A built-in kind's snapshot whose JSON did not read as one comes as
    /// an <see cref="UnreadableSnapshot"/> with the reason, and stops it the same way.
    /// </summary>
    private bool TryRestore()
    {
        var failure = (S.Snapshot as UnreadableSnapshot)?.Error;
        if (failure is null)
        {
            try
            {
                _strategy!.Restore(S.Snapshot ?? strategies.DeserializeState(S.Kind, S.CustomSnapshot!));
                return true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failure = ex;
            }
        }

        S.LastError = $"The stored snapshot of strategy kind \"{S.Kind}\" no longer reads: {failure.Message}";
        S.Running = false;
        _strategy = null;
        _context = null;
        metrics.StrategyFailed(S.Kind);
        StrategyLog.SnapshotUnreadable(logger, failure, _accountId, _strategyId, S.Kind);
        return false;
    }

    private async Task RunAsync()
    {
        // Stored parameters a later build refuses (a decimal "1,5", a quantity its symbol cannot be ordered in) stop the
        // strategy with the reason: started, a refused quantity had every order denied by the account.
        var refusal = !TryCreate(S.Kind, S.Symbols, S.Parameters, out var strategy, out var error) ? error!.Message
            : StrategyQuantityCheck.Refusal(environment, S.Kind, S.Symbols, S.Parameters);
        if (refusal is not null)
        {
            S.LastError = refusal;
            S.Running = false;
            StrategyLog.NotStarted(logger, _accountId, _strategyId, refusal);
            await state.WriteStateAsync();
            return;
        }

        _strategy = strategy!;
        var fresh = S.Snapshot is null && S.CustomSnapshot is null;
        if (!fresh && !TryRestore())
        {
            await state.WriteStateAsync();
            return;
        }

        var accountBreaker = await GrainFactory.GetGrain<IBreakerGrain>(_accountId).GetStateAsync();
        var globalBreaker = await GrainFactory.GetGrain<IBreakerGrain>(BreakerKeys.Global).GetStateAsync();
        (_accountState, _accountVersion) = (accountBreaker.State, accountBreaker.Version);
        (_globalState, _globalVersion) = (globalBreaker.State, globalBreaker.Version);

        // A stop and a start keep the activation: a withholding that ended meanwhile is ended here, or the next one is a repeat.
        EndWithholdingOnChange();

        // Subscribed before the history is read, so no bar falls between the two; the ones in both are skipped live.
        var memory = this.GetStreamProvider(StreamNames.MemoryProvider);
        foreach (var symbol in S.Symbols)
        {
            _barSubscriptions.Add(await memory.GetStream<Bar>(StreamId.Create(S.BarInterval == TimeSpan.FromSeconds(1) ? StreamNames.SecondBars : StreamNames.Bars, symbol)).SubscribeAsync(OnBarAsync));
            _tickSubscriptions.Add(await memory.GetStream<MarketTick>(StreamId.Create(StreamNames.Ticks, symbol)).SubscribeAsync(OnTickAsync));
        }

        _streamedThrough = null;
        _eventSubscription = await memory.GetStream<AccountEvent>(StreamId.Create(StreamNames.AccountEvents, _accountId)).SubscribeAsync(OnAccountEventAsync);

        var now = time.GetUtcNow();
        var (history, warmUp) = fresh ? await ReadWarmUpAsync(now) : ([], null);
        _context = new StrategyContext(_strategyId, S.Symbols, history.Count > 0 ? history[0].End : now, Math.Max(1, S.NextSequence));
        foreach (var position in S.Positions.Values)
        {
            _context.SetPosition(position.Symbol, position.Quantity, position.AverageEntryPrice);
        }

        foreach (var order in S.OpenOrders)
        {
            _context.TrackOpenOrder(order);
        }

        // Caught up on what the account did while this strategy was not listening (fills of its orders) before OnStart:
        // after a crash lost the write of its next sequence, its earlier run's orders are in that history, and OnStart named
        // its intents under their ids (a replayed fill or cancel then ended the intent, which was never placed). Caught up
        // first, the sequence is past them and OnStart sees their positions and working orders. The strategy's callbacks
        // for the events wait until it has started.
        var deferred = new List<Action>();
        _deferredCallbacks = deferred;
        try
        {
            await CatchUpAsync();
        }
        finally
        {
            _deferredCallbacks = null;
        }

        // What the catch-up learned of the earlier run's orders (saved if OnStart throws: the next start does not replay it).
        var caughtUpSequence = _context.NextSequence;
        List<StrategyOrderView> caughtUpOpenOrders = [.. _context.OpenOrders];
        try
        {
            _strategy.OnStart(_context);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A registered kind's start failed: stopped with the reason, as a snapshot that no longer reads is. Thrown on, it
            // left the strategy "running" half started, and an activation that starts it failed every call, stop and delete included.
            S.LastError = $"Strategy kind \"{S.Kind}\" failed to start: {ex.Message}";
            S.Running = false;
            S.NextSequence = caughtUpSequence;
            S.OpenOrders = caughtUpOpenOrders;
            CountAndLogFailure(ex);
            _strategy = null;
            await HaltAsync();
            await state.WriteStateAsync();
            return;
        }

        if (fresh)
        {
            FeedWarmUp(history, warmUp, now);
        }

        foreach (var callback in deferred)
        {
            callback();
        }

        // A halt that ended while the strategy was stopped releases the cancels it held.
        ReleaseHeldCancels();
        await DispatchAsync();
    }

    /// <summary>
    /// Runs the strategy for a start or a parameter change; a call that fails on the way (a breaker, the account's events
    /// or the symbol's bars not answering in time) stops it with the reason, as an OnStart that throws does. Thrown on, it
    /// stayed "running" with its subscriptions and no context: every bar dropped, no lastError, and a start answered as done.
    /// An activation still throws: it is tried again, and a silo's restart does not stop a strategy for a slow answer.
    /// </summary>
    private async Task RunOrStopAsync()
    {
        try
        {
            await RunAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            S.LastError = $"The start of strategy kind \"{S.Kind}\" failed: {ex.Message}";
            S.Running = false;
            if (_context is not null)
            {
                // What a catch-up applied before the failure stays, as after an OnStart that throws.
                S.NextSequence = _context.NextSequence;
                S.OpenOrders = [.. _context.OpenOrders];
            }

            // Not captured: a fresh strategy's snapshot taken before its warm-up would keep the next start from warming up.
            _strategy = null;
            await HaltAsync();
            await state.WriteStateAsync();
            StrategyLog.NotStarted(logger, _accountId, _strategyId, S.LastError);
        }
    }

    private async Task HaltAsync()
    {
        foreach (var handle in _barSubscriptions)
        {
            await handle.UnsubscribeAsync();
        }

        foreach (var handle in _tickSubscriptions)
        {
            await handle.UnsubscribeAsync();
        }

        if (_eventSubscription is not null)
        {
            await _eventSubscription.UnsubscribeAsync();
        }

        _barSubscriptions.Clear();
        _tickSubscriptions.Clear();
        _eventSubscription = null;
        _warmedUpTo.Clear();
        if (_strategy is not null)
        {
            // Guarded like every handler: thrown on, a registered kind's OnStop failed the stop, and with it every delete
            // and parameter change of the strategy.
            Guard(static (strategy, _) => strategy.OnStop(), _strategy, 0);
            Capture();
        }

        _strategy = null;
        _context = null;
    }

    private async Task OnBarAsync(Bar bar, StreamSequenceToken? token)
    {
        if (_strategy is null || _context is null || WarmedUpOn(bar))
        {
            return;
        }

        Advance(bar.End);
        S.BarsSeen++;
        Guard(static (strategy, b) => strategy.OnBar(b), _strategy, bar);
        _dirty = true;
        await DispatchAsync();
    }

    /// <summary>Runs once per tick per strategy: synchronous unless the strategy has intents or open orders to dispatch.</summary>
    private Task OnTickAsync(MarketTick tick, StreamSequenceToken? token)
    {
        if (_strategy is null || _context is null)
        {
            return Task.CompletedTask;
        }

        S.TicksSeen++;
        if (tick.Quote is { } fresh && (_quoteRefusals.Count > 0 || _quoteRefusalRuns.Count > 0))
        {
            // A new quote may be fresh enough for the account again: the symbol's next intent goes to it, and a refusal of
            // it is news again.
            _quoteRefusals.Remove(fresh.Symbol);
            _quoteRefusalRuns.Remove(fresh.Symbol);
        }

        if (tick.Trade is { } trade)
        {
            Advance(trade.Timestamp);
            Guard(static (strategy, t) => strategy.OnTrade(t), _strategy, trade);
        }
        else if (tick.Quote is { } quote)
        {
            Advance(quote.Timestamp);
            Guard(static (strategy, q) => strategy.OnQuote(q), _strategy, quote);
        }

        _dirty = true;
        return _context.OpenOrders.Count > 0 || S.NextSequence != _context.NextSequence ? DispatchAsync() : Task.CompletedTask;
    }

    private async Task OnAccountEventAsync(AccountEvent entry, StreamSequenceToken? token)
    {
        if (_strategy is null)
        {
            return;
        }

        var streamed = _streamedThrough;
        _streamedThrough = entry.Sequence;
        if (entry.Sequence <= S.LastAccountEventSequence)
        {
            // Mostly one a catch-up read first, and the stream is now passing. But an account whose storage was reset while
            // this strategy ran numbers its events from the start again (the stream goes back): ignored, its events (this
            // strategy's own fills among them) were lost until its sequence passed the old one. The account's history is
            // read; a position past its newest event resyncs from it, as at activation.
            if (streamed is { } previous && entry.Sequence > previous)
            {
                return;
            }

            await CatchUpAsync();
            await DispatchAsync();
            return;
        }

        if (entry.Sequence != S.LastAccountEventSequence + 1)
        {
            // A best-effort stream may drop events: read the gap from the account's persisted history.
            await CatchUpAsync();
            if (entry.Sequence <= S.LastAccountEventSequence)
            {
                await DispatchAsync();
                return;
            }
        }

        await RollDayBeforeOwnFillAsync(entry);
        Apply(entry);
        await TradeBook.StoreClosedAsync();
        await DispatchAsync();
    }

    /// <summary>
    /// A fill of its own made on a later date than the open day (in the seconds after midnight before the save tick, or
    /// read by a catch-up at a start or after a gap) closes that day first, so the fill goes into the day it was made, as
    /// an account's does. Not for a resync's replay of fills it was told of: those rebuild positions the days already
    /// hold. Nor in an activation's catch-up (see _activating): those fills go into the open day, which the next tick closes.
    /// </summary>
    private Task RollDayBeforeOwnFillAsync(AccountEvent entry) =>
        !_activating && entry is { Kind: AccountEventKind.Fill, Fill: { } fill } && entry.Sequence > _replayingThrough && Mine(fill.ClientOrderId, fill.Origin)
            ? RollDayBeforeFillAsync(fill)
            : Task.CompletedTask;

    private async Task CatchUpAsync()
    {
        var truncated = false;
        var page = await Account.GetEventsAsync(S.LastAccountEventSequence, 1000);
        var rewound = S.LastAccountEventSequence > page.LastSequence;
        if (rewound)
        {
            page = await RewindAsync(page);
        }

        while (true)
        {
            if (page.Truncated)
            {
                truncated = true;
                S.LastError = $"Account events before {page.OldestSequence} were pruned; positions are from the retained history.";
            }

            foreach (var entry in page.Events)
            {
                await RollDayBeforeOwnFillAsync(entry);
                Apply(entry, replayed: true);
            }

            // Trades the events closed are stored before any write of the state that counts them.
            await TradeBook.StoreClosedAsync();
            if (page.Events.Count < 1000)
            {
                _replayingThrough = 0;
                S.LastAccountEventSequence = Math.Max(S.LastAccountEventSequence, page.LastSequence);

                // The fills booked while stopped have been told.
                ForgetBookedFills();
                if (truncated || rewound)
                {
                    await SettlePrunedOrdersAsync();
                }

                return;
            }

            page = await Account.GetEventsAsync(S.LastAccountEventSequence, 1000);
        }
    }

    /// <summary>
    /// A position past the account's newest event (its storage reset or restored from an older backup) was never given by
    /// this history: waiting for it skipped every event up to it, the strategy's own fills among them, and it traded on a
    /// position the account does not hold. As the webhooks and the SSE relay do, it reads again from the oldest event kept,
    /// with its positions and round trips rebuilt from them rather than added to the ones it holds (a restored history
    /// repeats fills it had taken), and its open orders then asked of the account. Returns the first page from the oldest event.
    /// </summary>
    private async Task<AccountEventPage> RewindAsync(AccountEventPage newest)
    {
        StrategyLog.PositionPastNewest(logger, _accountId, _strategyId, S.LastAccountEventSequence, newest.LastSequence, newest.OldestSequence);
        S.LastError = $"Account events were followed through {S.LastAccountEventSequence}, past the account's newest {newest.LastSequence} (its storage was reset or restored); positions are rebuilt from its history.";
        foreach (var symbol in S.Positions.Keys)
        {
            _context!.SetPosition(symbol, 0m, 0m);
        }

        S.Positions.Clear();

        // Fills booked while stopped are rebuilt with the rest, from the account's history.
        ForgetBookedFills();

        // A reset account numbers its orders from the start again: the order ids held are not the ones its history gives.
        S.WorkingOrderIds.Clear();
        await TradeBook.ClearAsync(S.Trades);
        _replayingThrough = S.LastAccountEventSequence;
        S.LastAccountEventSequence = 0;
        _dirty = true;
        return await Account.GetEventsAsync(0, 1000);
    }

    /// <summary>
    /// After a catch-up that missed pruned events: the open orders whose end was among them are asked of the account.
    /// Kept open, such an order left HasOpenOrder true for good, and the strategy never traded its symbol again. The
    /// account keeps every working order; one it no longer knows ended with the pruned events. Only the orders saved as
    /// open (sent before): one the strategy just asked for is not at the account until it is sent.
    /// </summary>
    private async Task SettlePrunedOrdersAsync()
    {
        var saved = S.OpenOrders.Select(o => o.ClientOrderId).ToHashSet(StringComparer.Ordinal);
        foreach (var open in _context!.OpenOrders.Where(o => saved.Contains(o.ClientOrderId)).ToList())
        {
            var order = await Account.GetOrderByClientOrderIdAsync(open.ClientOrderId);
            if (order is not null && !order.Status.IsFinal())
            {
                continue;
            }

            var update = new StrategyOrderUpdate
            {
                ClientOrderId = open.ClientOrderId,
                Status = order?.Status ?? OrderStatus.Canceled,
                FilledQuantity = order?.FilledQuantity ?? open.FilledQuantity,
                Timestamp = order?.UpdatedAt ?? time.GetUtcNow(),
                Message = order?.StatusReason ?? "Ended while the strategy was not listening; its events were pruned.",
            };
            if (_context.ApplyOrderUpdate(update))
            {
                _dirty = true;
                Guard(static (strategy, u) => strategy.OnOrderUpdate(u), _strategy!, update);
            }
        }
    }

    private void Apply(AccountEvent entry, bool replayed = false)
    {
        S.LastAccountEventSequence = entry.Sequence;
        _dirty = true;
        switch (entry.Kind)
        {
            // Only a newer version: the catch-up replays changes older than the states read at start, and the account records
            // a notice only at its next write, so its event can come after a newer state was read. Taken as they came, a
            // strategy held HALTED after a reset (withholding every intent) or ACTIVE after a halt.
            case AccountEventKind.BreakerChanged when entry.Breaker is { } breaker:
                if (breaker.BreakerId == BreakerKeys.Global)
                {
                    if (breaker.Version > _globalVersion)
                    {
                        (_globalState, _globalVersion) = (breaker.State, breaker.Version);
                    }
                }
                else if (breaker.Version > _accountVersion)
                {
                    (_accountState, _accountVersion) = (breaker.State, breaker.Version);
                }

                EndWithholdingOnChange();
                break;
            case AccountEventKind.Fill when entry.Fill is { } fill && OwnSequence(fill.ClientOrderId, fill.Origin) is { } filled:
                if (replayed)
                {
                    _context!.AdvanceSequencePast(filled);
                }

                ApplyFill(fill, told: entry.Sequence <= _replayingThrough && S.LastFillAt is { } last && fill.Timestamp <= last,
                    booked: S.BookedExecutionIds.Contains(fill.ExecutionId));
                break;
            case AccountEventKind.OrderUpdated when entry.Order is { } order && (OwnSequence(order.ClientOrderId, order.Origin) ?? RenamedReplacement(order)) is { } sequence:
                FollowOrderId(order, sequence);
                if (replayed)
                {
                    TrackUnnamed(order, sequence);
                }

                TrackReplacement(order);
                ApplyOrderState(order);
                break;
        }
    }

    /// <summary>
    /// An order of the strategy, in the history a catch-up replays, under an id it has not named yet: its earlier run placed
    /// it and died before the write of its next sequence (such orders are all in the history its start replays; the live
    /// stream gives the ones this run named). The sequence moves past it, so no intent is named as that order (the account
    /// would answer with it), and while it works it is one of the strategy's open orders (else the strategy asked again beside it).
    /// </summary>
    private void TrackUnnamed(AccountOrder order, long sequence)
    {
        if (!_context!.AdvanceSequencePast(sequence) || order.ReplacesOrderId is not null || order.Status.IsFinal()
            || _context.OpenOrders.Any(o => string.Equals(o.ClientOrderId, order.ClientOrderId, StringComparison.Ordinal)))
        {
            return;
        }

        _context.TrackOpenOrder(ViewOf(order));
    }

    /// <summary>
    /// A replacement of one of the strategy's orders (the user's replace, "{id}-r{orderId}") works in its stead: it is an
    /// open order of the strategy from its first update, which comes before the replaced one's Replaced. Untracked, the
    /// strategy saw no open order of the symbol once the replaced one ended, and asked again beside the working replacement.
    /// </summary>
    private void TrackReplacement(AccountOrder order)
    {
        if (order.ReplacesOrderId is null || order.Status.IsFinal()
            || _context!.OpenOrders.Any(o => string.Equals(o.ClientOrderId, order.ClientOrderId, StringComparison.Ordinal)))
        {
            return;
        }

        _context.TrackOpenOrder(ViewOf(order));
    }

    /// <summary>
    /// A replacement of one of the strategy's orders that the user named (PATCH with a clientOrderId of their own): the account
    /// keeps the strategy's origin, but the id is not of the strategy's form. Not taken as the strategy's, the replaced order
    /// ended Replaced, the strategy had no open order in the symbol and asked again beside the working replacement, and the
    /// replacement's fills were missing from its position. Known by the order it replaces, so only this incarnation's.
    /// </summary>
    private long? RenamedReplacement(AccountOrder order)
    {
        if (order.ReplacesOrderId is not { } replaced || !string.Equals(order.Origin, Origin, StringComparison.Ordinal)
            || !S.WorkingOrderIds.TryGetValue(replaced, out var sequence))
        {
            return null;
        }

        S.RenamedReplacements[order.ClientOrderId] = sequence;
        return sequence;
    }

    /// <summary>Keeps the order ids of the strategy's orders while they work, for <see cref="RenamedReplacement"/>.</summary>
    private void FollowOrderId(AccountOrder order, long sequence)
    {
        if (order.Status.IsFinal())
        {
            S.WorkingOrderIds.Remove(order.OrderId);
        }
        else
        {
            S.WorkingOrderIds[order.OrderId] = sequence;
        }
    }

    private static StrategyOrderView ViewOf(AccountOrder order) => new()
    {
        ClientOrderId = order.ClientOrderId,
        Symbol = order.Symbol,
        Side = order.Side,
        Type = order.Type,
        Quantity = order.Quantity,
        FilledQuantity = order.FilledQuantity,
        LimitPrice = order.LimitPrice,
        StopPrice = order.StopPrice,
        TrailPrice = order.TrailPrice,
        TrailPercent = order.TrailPercent,
        Status = order.Status,
    };

    /// <summary>
    /// A fill of the strategy's own order, into its position and round trips. One it was already told of (<paramref name="told"/>:
    /// replayed by a resync from a restored history) only rebuilds them: given to OnFill again, the strategy counted it twice.
    /// One booked while it was stopped (<paramref name="booked"/>) is in them already and is only told: applied again, the
    /// position counted it twice.
    /// </summary>
    private void ApplyFill(AccountFill fill, bool told, bool booked)
    {
        var execution = ExecutionOf(fill);

        // The strategy's position in the symbol moved: an order of it refused as a short may pass now.
        _shortRefusals.Remove(fill.Symbol);
        if (!booked)
        {
            var position = BookFill(fill, execution);
            _context!.SetPosition(fill.Symbol, position.Quantity, position.AverageEntryPrice);
        }

        if (told)
        {
            return;
        }

        if (!booked)
        {
            S.Fills++;
        }

        S.LastFillAt = S.LastFillAt is { } last && last > fill.Timestamp ? last : fill.Timestamp;
        Guard(static (strategy, e) => strategy.OnFill(e), _strategy!, execution);
    }

    /// <summary>
    /// True for "{strategyId}-{sequence}" from this incarnation's first sequence on, and for its replacements (the account
    /// appends "-r{orderId}" per replace), and for a replacement the user named with an id of their own
    /// (<see cref="RenamedReplacement"/>). A bare prefix match took the orders of strategy "x-y" ("x-y-1") for strategy "x"'s.
    /// An order placed by anyone else (a manual "x-50", a webhook's) is not, whatever its id: the strategy's position and P&amp;L
    /// took its fills. The origin is unknown (null) only for a fill of an order the account does not know, or one recorded
    /// before fills kept it; then the id decides.
    /// </summary>
    private bool Mine(string clientOrderId, string? origin) => OwnSequence(clientOrderId, origin) is not null;

    /// <summary>The sequence of one of the strategy's own client order ids (see <see cref="Mine"/>); null for any other.</summary>
    private long? OwnSequence(string clientOrderId, string? origin)
    {
        if (origin is not null && !string.Equals(origin, Origin, StringComparison.Ordinal))
        {
            return null;
        }

        // A replacement the user named (its fills carry the id they gave it, and the strategy's origin).
        if (origin is not null && S.RenamedReplacements.TryGetValue(clientOrderId, out var renamed))
        {
            return renamed;
        }

        if (!clientOrderId.StartsWith(OrderPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        // "{n}", then any number of "-r{orderId}" (an order id holds no '-').
        var rest = clientOrderId.AsSpan(OrderPrefix.Length);
        var end = rest.IndexOf('-') is var dash and >= 0 ? dash : rest.Length;
        if (!long.TryParse(rest[..end], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence)
            || sequence < S.FirstSequence)
        {
            return null;
        }

        for (rest = rest[end..]; !rest.IsEmpty;)
        {
            if (!rest.StartsWith("-r", StringComparison.Ordinal) || rest.Length == 2 || rest[2] == '-')
            {
                return null;
            }

            rest = rest[2..];
            rest = rest.IndexOf('-') is var next and >= 0 ? rest[next..] : [];
        }

        return sequence;
    }

    // Replies to replies are rare (a cancel confirmed locally, then its reply); a strategy that keeps replying waits for the next event.
    private const int MaxDispatchRounds = 4;

    /// <summary>
    /// Sends the strategy's cancels, then its drained intents, to the account, unless the trading state withholds them.
    /// An intent canceled before it was sent is never sent. What the strategy submits in reply to the updates this produces
    /// (an exit that waited for its stop's cancel) goes in the same turn, a few rounds at most. Saved at once when it sent
    /// an intent or asked the account for a cancel: a cancel left to the save timer was lost with the snapshot that says
    /// why it was asked for (an exit waiting for the stop's cancel) by a crash in those seconds, and the restored strategy
    /// took the confirmed cancel for a stop withdrawn for nothing. So is a cancel it holds while HALTED, which a restart lost.
    /// </summary>
    private async Task DispatchAsync()
    {
        if (_context is null)
        {
            return;
        }

        AskForCancelsAgain();
        var sent = 0;
        for (var round = 0; round < MaxDispatchRounds && _context.HasPending; round++)
        {
            sent += await DispatchRoundAsync();
        }

        if (sent > 0)
        {
            Capture();
            _dirty = false;
            await state.WriteStateAsync();
        }
    }

    /// <summary>One round of <see cref="DispatchAsync"/>; returns how many intents it drained and cancels it asked the account for or held.</summary>
    private async Task<int> DispatchRoundAsync()
    {
        var canceled = 0;
        var cancels = _context!.DrainCancels();
        var intents = _context.DrainIntents();
        S.NextSequence = _context.NextSequence;

        // Cancels pass in every trading state; the order's Canceled update comes back with the account's events.
        var halted = TradingStateNow == TradingState.Halted;
        foreach (var clientOrderId in cancels)
        {
            try
            {
                if (intents.Any(i => string.Equals(i.ClientOrderId, clientOrderId, StringComparison.Ordinal)))
                {
                    continue;
                }

                // But while HALTED nothing can be sent in place of an order that closes the position (a protective stop
                // withdrawn for an exit): canceled, it left the position unprotected for as long as the halt lasted.
                if (halted && OpenOrderClosingPosition(clientOrderId) is { } closing)
                {
                    _cancelRetries.Remove(clientOrderId);
                    if (_heldCancels.Add(clientOrderId))
                    {
                        canceled++;
                        StrategyLog.CancelHeldWhileHalted(logger, _accountId, _strategyId, clientOrderId, closing.Symbol);
                    }

                    continue;
                }

                // Asked for again before its wait has passed (a ProtectiveStop's own re-ask on a bar after the host's on a
                // tick, a strategy asking bar after bar): the host asks on its schedule. Sent, the account had two cancels
                // in a wait, and each refusal doubled the host's next wait.
                if (_cancelRetries.TryGetValue(clientOrderId, out var retry) && !WaitPassed(retry))
                {
                    continue;
                }

                if (await Account.GetOrderByClientOrderIdAsync(clientOrderId) is not { } order || order.Status.IsFinal())
                {
                    continue;
                }

                canceled++;
                var answer = await Account.CancelOrderAsync(order.OrderId);
                if (answer.Denial is { } denial)
                {
                    StrategyLog.CancelRefused(logger, _accountId, _strategyId, clientOrderId, $"{denial.ReasonCode}: {denial.Message}");
                    AskForCancelLater(clientOrderId, answer.Order);
                }
                else if (answer.Order is { } after && !after.Status.IsFinal() && after.Status != OrderStatus.PendingCancel)
                {
                    // The venue refused it: the account answers the order working again, and tells the strategy nothing more.
                    StrategyLog.CancelRefused(logger, _accountId, _strategyId, clientOrderId, $"the venue refused it ({after.StatusReason}); the order is {after.Status}");
                    AskForCancelLater(clientOrderId, after);
                }
                else
                {
                    _cancelRetries.Remove(clientOrderId);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The order stays open (it may be); the intents drained with this cancel must still go.
                S.LastError = $"The cancel of {clientOrderId} failed: {ex.Message}";
                StrategyLog.CancelRefused(logger, _accountId, _strategyId, clientOrderId, ex.Message);
                AskForCancelLater(clientOrderId, null);
            }
        }

        foreach (var intent in intents)
        {
            var state = TradingStateNow;
            if (cancels.Contains(intent.ClientOrderId, StringComparer.Ordinal))
            {
                Close(intent, OrderStatus.Canceled, "Canceled by the strategy before it was sent.");
            }
            else if (state == TradingState.Reducing && ClosingPart(intent) is { } closing)
            {
                // A reversal (cover and go long in one buy, or sell out and go short) would be refused whole, and the position
                // kept: its closing part is what REDUCING exists to let through.
                S.IntentsCutToClose++;
                _context!.CutOpenOrder(intent.ClientOrderId, closing);
                StrategyLog.CutToClose(logger, _accountId, _strategyId, intent.ClientOrderId, intent.Quantity, closing);
                await SendAsync(intent with { Quantity = closing });
            }
            else if (state == TradingState.Halted || (state == TradingState.Reducing && !Reduces(intent)))
            {
                S.IntentsSuppressed++;
                Close(intent, OrderStatus.Denied, $"Withheld: trading state is {state}.");
                LogWithheld(intent, state);
            }
            else
            {
                await SendAsync(intent);
            }
        }

        return intents.Count + canceled;
    }

    private void LogWithheld(OrderIntent intent, TradingState state)
    {
        if (_withholding is { } withholding && withholding.State == state)
        {
            _withholding = withholding with { Withheld = withholding.Withheld + 1 };
            StrategyLog.SuppressedAgain(logger, _accountId, _strategyId, intent.ClientOrderId, state, _withholding.Withheld);
            return;
        }

        _withholding = new Withholding(state, 1);
        StrategyLog.Suppressed(logger, _accountId, _strategyId, intent.ClientOrderId, state);
    }

    /// <summary>The stricter of the account's and the global breaker's states.</summary>
    private TradingState TradingStateNow => (TradingState)Math.Max((int)_accountState, (int)_globalState);

    /// <summary>Logs the end of a withholding once the trading state is no longer the one intents were withheld for.</summary>
    private void EndWithholdingOnChange()
    {
        var state = TradingStateNow;
        if (_withholding is { } withholding && withholding.State != state)
        {
            _withholding = null;
            StrategyLog.SuppressionEnded(logger, _accountId, _strategyId, state, withholding.Withheld, withholding.State);
        }

        ReleaseHeldCancels();
    }

    /// <summary>The strategy's open order under the id when all that is left of it closes (part of) its position; else null.</summary>
    private StrategyOrderView? OpenOrderClosingPosition(string clientOrderId) =>
        _context!.OpenOrders.FirstOrDefault(o => string.Equals(o.ClientOrderId, clientOrderId, StringComparison.Ordinal)) is { } order
        && ReducesPosition(order.Symbol, order.Side, order.Quantity - order.FilledQuantity)
            ? order
            : null;

    /// <summary>
    /// A cancel the account did not take is asked for again later while the order stays open. Not one the account holds
    /// (PendingCancel: its answer from the venue settles it) or of an order that ended.
    /// </summary>
    private void AskForCancelLater(string clientOrderId, AccountOrder? order)
    {
        if (order is not null && (order.Status.IsFinal() || order.Status == OrderStatus.PendingCancel))
        {
            _cancelRetries.Remove(clientOrderId);
            return;
        }

        var retries = _cancelRetries.TryGetValue(clientOrderId, out var earlier) ? earlier.Retries + 1 : 0;
        _cancelRetries[clientOrderId] = new CancelRetry(_context!.Now, time.GetTimestamp(), retries);
    }

    /// <summary>
    /// Whether a cancel's wait (<see cref="ProtectiveStop.RetryWait"/>) has passed since it was last asked for: in the
    /// strategy's time, which its data moves, or on the clock, which moves while its symbols are quiet.
    /// </summary>
    private bool WaitPassed(CancelRetry retry)
    {
        var wait = ProtectiveStop.RetryWait(retry.Retries);
        return _context!.Now >= retry.AskedAt + wait || time.GetElapsedTime(retry.AskedSince) >= wait;
    }

    /// <summary>
    /// Asks again for the cancels the account did not take whose wait has passed: a minute after the last ask, then twice
    /// as long each time up to an hour, in the strategy's time or on the clock (<see cref="WaitPassed"/>). One whose order
    /// is no longer open is forgotten.
    /// </summary>
    private void AskForCancelsAgain()
    {
        if (_cancelRetries.Count == 0 || _context!.IsWarmingUp)
        {
            return;
        }

        foreach (var (clientOrderId, retry) in _cancelRetries.ToList())
        {
            if (!_context.OpenOrders.Any(o => string.Equals(o.ClientOrderId, clientOrderId, StringComparison.Ordinal)))
            {
                _cancelRetries.Remove(clientOrderId);
            }
            else if (WaitPassed(retry))
            {
                _context.CancelOrder(clientOrderId);
            }
        }
    }

    /// <summary>Once trading is no longer HALTED, the cancels held for it are asked for again (of the orders still open), and go with the next dispatch.</summary>
    private void ReleaseHeldCancels()
    {
        // Not in a start's catch-up: its warm-up would drop them; the start releases them at its end.
        if (_heldCancels.Count == 0 || _context is null || _deferredCallbacks is not null || TradingStateNow == TradingState.Halted)
        {
            return;
        }

        foreach (var clientOrderId in _heldCancels)
        {
            _context.CancelOrder(clientOrderId);
        }

        _heldCancels.Clear();
    }

    /// <summary>
    /// Places one intent. A call that throws (the account's write failed, a timeout) has an unknown outcome: the account is
    /// asked whether it holds the order (its updates then come with its events); when it does not, the intent ends
    /// Rejected. Either way the turn's other intents still go: an exception here used to drop them, and leave them and this
    /// one open in the strategy forever, never sent (its HasOpenOrder true for good). A reversal the account refuses as
    /// reduce-only is sent again once, for its closing part (<see cref="ResendClosingPartAsync"/>).
    /// </summary>
    private async Task SendAsync(OrderIntent intent, bool mayResendClosingPart = true)
    {
        if (WhyHeld(intent) is { } heldBack)
        {
            S.IntentsDenied++;
            Close(intent, OrderStatus.Denied, heldBack);
            return;
        }

        OrderCommandResult placed;
        try
        {
            placed = await Account.PlaceOrderAsync(new PlaceOrder { Request = intent.ToOrderRequest(), Origin = Origin });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            S.LastError = $"Placing {intent.ClientOrderId} failed: {ex.Message}";
            StrategyLog.PlaceFailed(logger, ex, _accountId, _strategyId, intent.ClientOrderId);
            AccountOrder? held;
            try
            {
                held = await Account.GetOrderByClientOrderIdAsync(intent.ClientOrderId);
            }
            catch (Exception lookup) when (lookup is not OutOfMemoryException)
            {
                // Unknown still: the order stays open rather than risk a second one; its events settle it if it exists.
                StrategyLog.PlaceFailed(logger, lookup, _accountId, _strategyId, intent.ClientOrderId);
                return;
            }

            if (held is null)
            {
                S.IntentsDenied++;
                Close(intent, OrderStatus.Rejected, $"Not placed: {ex.Message}");
            }
            else
            {
                S.IntentsSent++;
            }

            return;
        }

        if (placed.Denial is { } denial)
        {
            S.IntentsDenied++;
            HoldForQuote(intent, denial);
            HoldAfterShortRefusal(intent, denial);
            HoldWhileMarketClosed(intent, denial);
            if (mayResendClosingPart && denial.ReasonCode == RiskReasonCodes.ReduceOnlyWouldIncreasePosition && ClosingPart(intent) is { } closing)
            {
                await ResendClosingPartAsync(intent, denial, closing);
                return;
            }

            Close(intent, OrderStatus.Denied, $"{denial.ReasonCode}: {denial.Message}");
        }
        else if (placed is { IsExisting: true, Order: { } other } && !IsPlacementOf(other, intent))
        {
            await SendPastAsync(intent, other, mayResendClosingPart);
        }
        else
        {
            S.IntentsSent++;

            // The account took an order: a run of refusals past the calendar's years, or for the symbol's quote, has ended,
            // and the next one warns again.
            _nextOpenUnknownRefusals = 0;
            _quoteRefusalRuns.Remove(intent.Symbol);
            if (placed is { IsExisting: true, Order: { } existing } && existing.Status.IsFinal())
            {
                // Its client order id named an order that had ended (a send repeated after a crash lost the strategy's write):
                // that order's events went by before this intent tracked it, so its end is taken here, or it stayed open for good.
                ApplyOrderState(existing);
            }
        }
    }

    /// <summary>
    /// True when the account's order under the intent's client order id is this intent: placed by the strategy, and asking
    /// for what the intent asks. A different one is an order the strategy's earlier run placed under the id before its write
    /// of the next sequence was lost (or someone else's order under the strategy's id form).
    /// </summary>
    private bool IsPlacementOf(AccountOrder order, OrderIntent intent) =>
        string.Equals(order.Origin, Origin, StringComparison.Ordinal)
        && string.Equals(order.Symbol, intent.Symbol, StringComparison.Ordinal)
        && order.Side == intent.Side && order.Type == intent.Type && order.Quantity == intent.Quantity
        && order.LimitPrice == intent.LimitPrice && order.StopPrice == intent.StopPrice
        && order.TrailPrice == intent.TrailPrice && order.TrailPercent == intent.TrailPercent
        && order.TimeInForce == intent.TimeInForce;

    /// <summary>
    /// The account answered the intent with a different order already under its client order id: the silo died after the
    /// account stored an order of the strategy's earlier run and before the strategy persisted its next sequence, and the
    /// restarted strategy named its new intent as that order. Taken as the placement, the strategy followed a working order
    /// that was never placed and the earlier one went unseen. The intent goes again under the next id (its own id ends as
    /// Replaced, naming it, as a closing part sent again does); the earlier order, when it is the strategy's and still
    /// working, is tracked as one of its open orders (its fills already count: they are the strategy's by origin).
    /// </summary>
    private async Task SendPastAsync(OrderIntent intent, AccountOrder taken, bool mayResendClosingPart)
    {
        if (!_context!.OpenOrders.Any(o => string.Equals(o.ClientOrderId, intent.ClientOrderId, StringComparison.Ordinal)))
        {
            return;
        }

        var again = _context.ReissueOpenOrder(intent, intent.Quantity);
        S.NextSequence = _context.NextSequence;
        StrategyLog.IdTaken(logger, _accountId, _strategyId, intent.ClientOrderId, taken.OrderId, again.ClientOrderId);
        Close(intent, OrderStatus.Replaced, $"Client order id {intent.ClientOrderId} is taken at the account by order {taken.OrderId} ({taken.Side} {taken.Quantity} {taken.Symbol} {taken.Type}). Sent again as {again.ClientOrderId}.");
        if (Mine(taken.ClientOrderId, taken.Origin) && !taken.Status.IsFinal())
        {
            _context.TrackOpenOrder(ViewOf(taken));
        }

        await SendAsync(again, mayResendClosingPart);
    }

    /// <summary>
    /// The account went REDUCING before the strategy heard of it (it learns the state from the account's events, recorded
    /// at the account's next write) and refused a whole reversal. Ended as Denied, the strategy dropped its target and the
    /// position stayed open; like the cut made when the state is known, the closing part goes instead, under the next client
    /// order id (the refused one is taken), and the refused order ends as Replaced so the strategy keeps its target.
    /// </summary>
    private async Task ResendClosingPartAsync(OrderIntent refused, OrderDenial denial, decimal closing)
    {
        var cut = _context!.ReissueOpenOrder(refused, closing);
        S.NextSequence = _context.NextSequence;
        S.IntentsCutToClose++;
        StrategyLog.CutToClose(logger, _accountId, _strategyId, refused.ClientOrderId, refused.Quantity, closing);
        Close(refused, OrderStatus.Replaced, $"{denial.ReasonCode}: {denial.Message} Sent again as {cut.ClientOrderId} for {closing}, the part that closes the position.");
        await SendAsync(cut, mayResendClosingPart: false);
    }

    /// <summary>
    /// A symbol whose data stopped while the strategy's other symbols keep ticking: a strategy that decides on their ticks
    /// (or resubmits when refused) asked for an order in it on every tick, and each was refused by the account for the
    /// same old quote, recorded in its journal, persisted and logged: thousands an hour. After one such refusal the
    /// symbol's intents are refused here, until a quote of the symbol arrives or <see cref="QuoteRefusalHold"/> passes
    /// (a quote the best-effort tick stream dropped must not hold the symbol for good).
    /// </summary>
    private void HoldForQuote(OrderIntent intent, OrderDenial denial)
    {
        if (denial.ReasonCode is not (RiskReasonCodes.QuoteStale or RiskReasonCodes.QuoteMissing))
        {
            return;
        }

        _quoteRefusals[intent.Symbol] = new QuoteRefusal(intent.ClientOrderId, denial.ReasonCode, denial.Message, time.GetUtcNow(), time.GetTimestamp());
        var run = _quoteRefusalRuns[intent.Symbol] = _quoteRefusalRuns.GetValueOrDefault(intent.Symbol) + 1;
        if (run == 1)
        {
            StrategyLog.HeldForQuote(logger, _accountId, _strategyId, intent.Symbol, denial.ReasonCode, QuoteRefusalHold);
        }
        else
        {
            StrategyLog.HeldForQuoteAgain(logger, _accountId, _strategyId, intent.Symbol, denial.ReasonCode, QuoteRefusalHold, run);
        }
    }

    /// <summary>
    /// The account refused a sell as a short: the strategy counts shares the account no longer holds (its position was
    /// closed through the account), and a strategy that asks for its exit on every event asked again and again, each one
    /// refused, journaled, persisted and logged. Its intents of that side in the symbol are refused here for a minute,
    /// then for twice as long after each further refusal (an hour at most), until a fill of the strategy in the symbol.
    /// </summary>
    private void HoldAfterShortRefusal(OrderIntent intent, OrderDenial denial)
    {
        if (denial.ReasonCode != RiskReasonCodes.ShortingNotAllowed)
        {
            return;
        }

        var count = _shortRefusals.TryGetValue(intent.Symbol, out var earlier) && earlier.Side == intent.Side ? earlier.Count + 1 : 1;
        var hold = TimeSpan.FromTicks(Math.Min(LongestShortRefusalHold.Ticks, FirstShortRefusalHold.Ticks << Math.Min(count - 1, 20)));
        _shortRefusals[intent.Symbol] = new ShortRefusal(intent.ClientOrderId, intent.Side, denial.Message, time.GetUtcNow(), time.GetTimestamp(), count, hold);
        StrategyLog.HeldAfterShortRefusal(logger, _accountId, _strategyId, intent.Symbol, intent.Side, hold);
    }

    /// <summary>
    /// The account refused an order as MARKET_CLOSED: on the NYSE calendar the feed prints from 04:00 to 20:00 New York,
    /// and a strategy's orders are for the regular session only, so a strategy that asks on every print or bar its signal
    /// holds had each of the extended session's refused, journaled, persisted and logged (and kept in the account's
    /// bounded history in place of real orders). Its intents are refused here until the calendar's next regular open,
    /// the instant the account's check passes again; OPG and CLS intents, which the check exempts, still go.
    /// </summary>
    private void HoldWhileMarketClosed(OrderIntent intent, OrderDenial denial)
    {
        if (denial.ReasonCode != RiskReasonCodes.MarketClosed)
        {
            return;
        }

        var now = time.GetUtcNow();
        DateTimeOffset until;
        TimeSpan? hold = null;
        try
        {
            // The account judged the market closed at its own instant, before the refusal came back: one made just before the
            // open and heard after it held the intents until the next day's open, a whole session without an order.
            if (environment.Calendar.IsOpen(now, includeExtended: false))
            {
                return;
            }

            until = environment.Calendar.NextOpen(now);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentOutOfRangeException)
        {
            // Past the years the calendar covers it cannot say when the market opens: hold a minute, as for a stale quote.
            hold = MarketClosedFallbackHold;
            until = now + MarketClosedFallbackHold;
        }

        _marketClosedRefusal = new MarketClosedRefusal(intent.ClientOrderId, denial.Message, now, until, time.GetTimestamp(), hold);
        if (hold is { } minute)
        {
            // Until is then only the end of the minute's hold, not an open: the message must not promise one. Nothing changes
            // from one minute's refusal to the next, so only the first warns.
            if (++_nextOpenUnknownRefusals == 1)
            {
                StrategyLog.HeldWhileNextOpenUnknown(logger, _accountId, _strategyId, intent.Symbol, minute);
            }
            else
            {
                StrategyLog.HeldWhileNextOpenUnknownAgain(logger, _accountId, _strategyId, intent.Symbol, minute, _nextOpenUnknownRefusals);
            }
        }
        else
        {
            _nextOpenUnknownRefusals = 0;
            StrategyLog.HeldWhileMarketClosed(logger, _accountId, _strategyId, intent.Symbol, until);
        }
    }

    private MarketClosedRefusal? HeldWhileMarketClosed(OrderIntent intent)
    {
        if (_marketClosedRefusal is not { } refusal || intent.TimeInForce is TimeInForce.Opg or TimeInForce.Cls)
        {
            return null;
        }

        if (refusal.Hold is { } hold ? time.GetElapsedTime(refusal.HeldSince) < hold : time.GetUtcNow() < refusal.Until)
        {
            return refusal;
        }

        _marketClosedRefusal = null;
        return null;
    }

    /// <summary>
    /// Why the intent is refused here without being sent (a hold after the account's refusal: the market closed, no quote
    /// since a stale one, a short), or null when it goes to the account.
    /// </summary>
    private string? WhyHeld(OrderIntent intent) =>
        HeldWhileMarketClosed(intent) is { } closed
            ? $"{RiskReasonCodes.MarketClosed}: not sent; the account refused {closed.ClientOrderId} at {closed.At:O} ({closed.Message}) and "
                + (closed.Hold is { } hold
                    ? $"the calendar cannot say when the market next opens (past the years it covers): held for {hold}, until {closed.Until:O}."
                    : $"the market opens at {closed.Until:O}.")
        : HeldForQuote(intent.Symbol) is { } refusal
            ? $"{refusal.ReasonCode}: not sent; the account refused {refusal.ClientOrderId} at {refusal.At:O} ({refusal.Message}) and no quote of {intent.Symbol} has come since."
        : HeldAfterShortRefusal(intent) is { } shortRefusal
            ? $"{RiskReasonCodes.ShortingNotAllowed}: not sent; the account refused {shortRefusal.ClientOrderId} at {shortRefusal.At:O} ({shortRefusal.Message}) and the strategy has had no fill in {intent.Symbol} since; held until {shortRefusal.At + shortRefusal.Hold:O}."
        : null;

    private ShortRefusal? HeldAfterShortRefusal(OrderIntent intent) =>
        _shortRefusals.TryGetValue(intent.Symbol, out var refusal) && refusal.Side == intent.Side && time.GetElapsedTime(refusal.HeldSince) < refusal.Hold
            ? refusal
            : null;

    private QuoteRefusal? HeldForQuote(string symbol)
    {
        if (!_quoteRefusals.TryGetValue(symbol, out var refusal))
        {
            return null;
        }

        if (time.GetElapsedTime(refusal.HeldSince) < QuoteRefusalHold)
        {
            return refusal;
        }

        _quoteRefusals.Remove(symbol);
        return null;
    }

    private bool Reduces(OrderIntent intent) => ReducesPosition(intent.Symbol, intent.Side, intent.Quantity);

    private bool ReducesPosition(string symbol, OrderSide side, decimal quantity)
    {
        var position = S.Positions.TryGetValue(symbol, out var p) ? p.Quantity : 0m;
        return side == OrderSide.Sell ? position > 0m && quantity <= position : position < 0m && quantity <= -position;
    }

    /// <summary>The part of an intent that closes the strategy's position, when the intent goes through zero and beyond; else null.</summary>
    private decimal? ClosingPart(OrderIntent intent)
    {
        var position = S.Positions.TryGetValue(intent.Symbol, out var p) ? p.Quantity : 0m;
        var closable = intent.Side == OrderSide.Sell ? position : -position;
        return closable > 0m && intent.Quantity > closable ? closable : null;
    }

    private void Close(OrderIntent intent, OrderStatus status, string message)
    {
        var update = new StrategyOrderUpdate
        {
            ClientOrderId = intent.ClientOrderId,
            Status = status,
            Timestamp = time.GetUtcNow(),
            Message = message,
        };
        if (_context!.ApplyOrderUpdate(update))
        {
            Guard(static (strategy, u) => strategy.OnOrderUpdate(u), _strategy!, update);
        }
    }

    private void Advance(DateTimeOffset at)
    {
        if (at > _context!.Now)
        {
            _context.AdvanceTo(at);
        }
    }

    /// <summary>
    /// A strategy that throws is recorded, not allowed to kill the grain's stream consumption: whatever it throws, since a
    /// registered kind is code of the silo's owner (a bug there must not stop the event flow). The callbacks are static
    /// lambdas, so a tick allocates no closure.
    /// </summary>
    private void Guard<T>(Action<IStrategy, T> action, IStrategy strategy, T argument)
    {
        if (_deferredCallbacks is { } deferred)
        {
            Defer(deferred, action, strategy, argument);
            return;
        }

        try
        {
            action(strategy, argument);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            S.LastError = ex.Message;
            CountAndLogFailure(ex);
        }
    }

    // Apart from Guard, so only a deferred callback allocates its closure.
    private void Defer<T>(List<Action> deferred, Action<IStrategy, T> action, IStrategy strategy, T argument) =>
        deferred.Add(() => Guard(action, strategy, argument));

    /// <summary>An order's state as the account reports it, applied to the strategy's tracking and told to the strategy once.</summary>
    private void ApplyOrderState(AccountOrder order)
    {
        var update = new StrategyOrderUpdate
        {
            ClientOrderId = order.ClientOrderId,
            Status = order.Status,
            FilledQuantity = order.FilledQuantity,
            Timestamp = order.UpdatedAt,
            Message = order.StatusReason,
        };
        if (_context!.ApplyOrderUpdate(update))
        {
            Guard(static (strategy, u) => strategy.OnOrderUpdate(u), _strategy!, update);
        }
    }
}
