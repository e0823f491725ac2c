using System.Runtime.CompilerServices;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using DomainReplacement = OrleansTrader.Domain.Orders.OrderReplacement;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// One account at the paper venue. Changes run one at a time under <see cref="_gate"/> (taken after the symbol's
/// gate when matching is involved), are saved to the store, and only then become visible and reported. Timed work
/// (acknowledgements after the ack latency, report delivery after the latencies, DAY expiry at the session close)
/// runs from one <see cref="ITimer"/> on the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class PaperAccount : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestTimerStep = TimeSpan.FromMinutes(1);

    // How much faster than elapsed time the retention's cutoff may move: what drains a forward clock step (see AgeCutoff).
    private const int ArchiveCatchUpRate = 2;

    private readonly PaperExchange _venue;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _sync = new();
    // Reports and acknowledgements fall due after a latency: elapsed time on the account's own line (see Elapsed), not wall
    // times, so a clock set back does not hold them until it reads their due times again.
    private readonly Queue<(TimeSpan Due, ExecutionReport Report)> _outbox = new();
    private readonly Queue<(TimeSpan Due, string OrderId)> _acks = new();
    private readonly SortedSet<DateTimeOffset> _expiries = [];
    private readonly List<ReportSubscriber> _subscribers = [];
    private readonly ITimer _timer;
    private TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _createdStamp;
    private TimeSpan _lastReportDue = TimeSpan.MinValue;
    // Archive passes by age fall due on elapsed time (see Elapsed): due at a wall time, a clock set back a day ran none for the day.
    private TimeSpan _nextArchiveDue = TimeSpan.MinValue;
    // The last pass's cutoff by age and when it was taken (see Elapsed), for the next one to move from (see ArchiveAsync).
    private (DateTimeOffset Cutoff, TimeSpan TakenAt)? _lastArchiveCutoff;
    private int _archiveAtCount;
    private volatile PaperAccountState _state = PaperAccountState.Empty;
    private volatile MatchableSymbolsOf? _matchable;
    private volatile PaperFees _fees = PaperFees.Default;
    private volatile bool _loaded;

    public PaperAccount(PaperExchange venue, string accountId)
    {
        _venue = venue;
        AccountId = accountId;
        _archiveAtCount = venue.Options.MaxRetainedOrders;
        _createdStamp = venue.Time.GetTimestamp();
        _timer = venue.Time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string AccountId { get; }

    /// <summary>The orders still working at the venue, for the start's summary line.</summary>
    internal int WorkingOrderCount => _state.Working.Count;

    /// <summary>Saves that walked every retained order for the retention (by age or by count): what tests count a save's cost by.</summary>
    internal int RetentionPasses { get; private set; }

    /// <summary>The account's fee schedule for the orders it adds from now on; each order keeps the one it was added under.</summary>
    public void Configure(PaperAccountSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _fees = PaperFees.For(settings.FeeModel);
    }

    public async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_loaded)
            {
                return;
            }

            if (await _venue.Store.LoadAsync(AccountId, cancellationToken) is { } snapshot)
            {
                _state = PaperAccountState.FromSnapshot(snapshot);
                Resume(_state);
            }

            _loaded = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<BrokerOrder> SubmitAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        return _venue.Options.AckLatency == TimeSpan.Zero && _venue.CheckSubmission(request) is null
            ? await SubmitAndAcceptAsync(request, cancellationToken)
            : await SubmitThenAcceptAsync(request, cancellationToken);
    }

    /// <summary>
    /// With no acknowledgement latency the venue accepts at once, so the new order, its acceptance and its first match
    /// are one change, saved once (the symbol's gate first, as for every match).
    /// </summary>
    private async Task<BrokerOrder> SubmitAndAcceptAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        await IndexArchiveForAsync(request.ClientOrderId, cancellationToken);
        var book = _venue.Book(request.Symbol);
        await book.Gate.WaitAsync(cancellationToken);
        try
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (await FindExistingAsync(request, cancellationToken) is { } existing)
                {
                    return existing;
                }

                var tx = Begin();
                var entryId = PaperOrderFactory.Create(tx, request, _venue.Calendar);
                var acknowledged = await AcceptAndMatchAsync(tx, entryId, book, "submit");
                PaperLog.Submitted(_venue.Logger, AccountId, entryId, request.ClientOrderId, request.Side, request.Quantity, request.Symbol);
                lock (_sync)
                {
                    AddExpiries(tx, tx.Added);
                    Rearm(tx.Now);
                }

                return acknowledged;
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            book.Gate.Release();
        }
    }

    /// <summary>Saves the order as PendingNew and acknowledges it; acceptance follows after the latency (or at once, retried on failure).</summary>
    private async Task<BrokerOrder> SubmitThenAcceptAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        BrokerOrder submitted;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (await FindExistingAsync(request, cancellationToken) is { } existing)
            {
                return existing;
            }

            if (_venue.CheckSubmission(request) is { } reason)
            {
                PaperLog.Rejected(_venue.Logger, AccountId, request.ClientOrderId, request.Symbol, reason);
                throw new BrokerException(BrokerErrorKind.Rejected, reason);
            }

            var tx = Begin();
            var entryId = PaperOrderFactory.Create(tx, request, _venue.Calendar);
            await CommitAcknowledgedAsync(tx, "submit");
            submitted = tx.View(entryId);
            PaperLog.Submitted(_venue.Logger, AccountId, entryId, request.ClientOrderId, request.Side, request.Quantity, request.Symbol);
            lock (_sync)
            {
                AddExpiries(tx.Added);
                if (_venue.Options.AckLatency > TimeSpan.Zero)
                {
                    _acks.Enqueue((Elapsed + _venue.Options.AckLatency, entryId));
                }

                Rearm(tx.Now);
            }
        }
        finally
        {
            _gate.Release();
        }

        if (_venue.Options.AckLatency > TimeSpan.Zero)
        {
            return submitted;
        }

        try
        {
            return await AcceptAsync(submitted.OrderId) ?? submitted;
        }
        catch (Exception ex)
        {
            // The order is saved and acknowledged as PendingNew; the acceptance is retried from the timer.
            PaperLog.WorkFailed(_venue.Logger, ex, "an acknowledgement", AccountId);
            lock (_sync)
            {
                _acks.Enqueue((Elapsed + RetryDelay, submitted.OrderId));
                Rearm(_venue.Time.GetUtcNow());
            }

            return submitted;
        }
    }

    /// <summary>
    /// Asks the archive about the client order id (a placement's, or the one a replace names) before any gate is taken: the
    /// grain store's first question after a restart reads and indexes every chunk the retention keeps (about 3 s for an
    /// account with 100,000 archived orders), and under the symbol's gate every other account's order in that symbol waited
    /// for it. The check under the gates asks again (an order may have been archived since) and finds the index built.
    /// </summary>
    private async Task IndexArchiveForAsync(string? clientOrderId, CancellationToken cancellationToken)
    {
        var state = _state;
        if (state.ArchivedBefore is not null && !string.IsNullOrWhiteSpace(clientOrderId)
            && !state.ClientOrderIds.ContainsKey(clientOrderId))
        {
            await _venue.Store.FindArchivedOrderByClientOrderIdAsync(AccountId, clientOrderId, cancellationToken);
        }
    }

    /// <summary>The order a repeated client order id already names, live or archived; the caller holds <see cref="_gate"/>.</summary>
    private async Task<BrokerOrder?> FindExistingAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.ClientOrderId))
        {
            return null;
        }

        if (_state.ClientOrderIds.TryGetValue(request.ClientOrderId, out var existingId))
        {
            return View(_state, existingId);
        }

        return _state.ArchivedBefore is not null
            && await _venue.Store.FindArchivedOrderByClientOrderIdAsync(AccountId, request.ClientOrderId, cancellationToken) is { } archived
            ? PaperOrderMapper.ToBroker(archived)
            : null;
    }

    public async Task<BrokerOrder> ReplaceAsync(string orderId, OrderReplacement replacement, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        var symbol = await SymbolOfAsync(orderId, cancellationToken);
        await IndexArchiveForAsync(replacement.ClientOrderId, cancellationToken);
        var book = _venue.Book(symbol);
        await book.Gate.WaitAsync(cancellationToken);
        try
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                var tx = Begin();
                var record = tx.Find(orderId) ?? throw NotFound(orderId);
                if (record.GroupId is not null)
                {
                    throw new BrokerException(BrokerErrorKind.Rejected,
                        $"ORDER_CLASS_NOT_REPLACEABLE: order {orderId} belongs to a {record.Order.Request.OrderClass} group; the paper venue replaces simple orders only (cancel and resubmit).");
                }

                var change = new DomainReplacement
                {
                    Quantity = replacement.Quantity,
                    LimitPrice = replacement.LimitPrice,
                    StopPrice = replacement.StopPrice,
                    TrailPrice = replacement.TrailPrice,
                    TrailPercent = replacement.TrailPercent,
                    TimeInForce = replacement.TimeInForce,
                    ClientOrderId = replacement.ClientOrderId,
                };
                if (OrderReplaceRules.CheckReplace(record.Order, change) is { } refused)
                {
                    throw new BrokerException(BrokerErrorKind.Rejected, refused.ToString());
                }

                var newId = PaperExchange.NewOrderId();
                var request = OrderReplaceRules.BuildReplacementRequest(record.Order, change, newId);
                // An archived order keeps its client order id too: a submit repeating it answers that order, not the replacement.
                if (tx.FindByClientOrderId(request.ClientOrderId) is not null
                    || (replacement.ClientOrderId is not null && _state.ArchivedBefore is not null
                        && await _venue.Store.FindArchivedOrderByClientOrderIdAsync(AccountId, request.ClientOrderId, cancellationToken) is not null))
                {
                    throw new BrokerException(BrokerErrorKind.Rejected, $"CLIENT_ORDER_ID_IN_USE: client order id {request.ClientOrderId} is already used.");
                }

                if (_venue.CheckSubmission(request) is { } reason)
                {
                    throw new BrokerException(BrokerErrorKind.Rejected, reason);
                }

                var expires = request.TimeInForce == TimeInForce.Day && record.Order.ExpiresAt is { } kept
                    ? kept
                    : OrderExpiry.For(request, tx.Now, _venue.Calendar);
                var fresh = Order.Create(newId, request, tx.Now, expires) with { ReplacesOrderId = orderId };
                var added = tx.Add(fresh, held: false, groupId: null);
                if (record.Matching is { } before && Continued(before, added.Matching!, record.Order.Request, request) is { } continued)
                {
                    tx.Track(newId, continued);
                }

                tx.Replace(orderId, newId);
                var view = new MarketView(book.Quote, null);
                Match(tx, symbol, view, [newId], book.HaltReason is not null);
                await CommitAcknowledgedAsync(tx, "replace");
                book.Quote = view.Quote;
                lock (_sync)
                {
                    AddExpiries([added]);
                    Rearm(tx.Now);
                }

                return View(_state, newId);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            book.Gate.Release();
        }
    }

    public async Task<BrokerOrder> CancelAsync(string orderId, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);

        // The symbol's gate too: canceling a partly filled bracket/OTO entry activates its exits, which match at once.
        var symbol = await SymbolOfAsync(orderId, cancellationToken);
        var book = _venue.Book(symbol);
        await book.Gate.WaitAsync(cancellationToken);
        try
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                var tx = Begin();
                var record = tx.Find(orderId) ?? throw NotFound(orderId);
                if (OrderReplaceRules.CheckCancel(record.Order) is { } refused)
                {
                    throw new BrokerException(BrokerErrorKind.Rejected, $"{refused.Code}: order {orderId} is {record.Order.Status}; nothing to cancel.");
                }

                var group = record.GroupId is { } groupId ? _state.Groups.GetValueOrDefault(groupId) : null;
                if (group is { OrderClass: OrderClass.Oco } && PaperOrderMapper.IsParent(group, orderId))
                {
                    var members = group.ChildOrderIds.Select(id => tx.Get(id).Order);
                    foreach (var action in group.CancelAll(members))
                    {
                        tx.Cancel(action.OrderId, "CANCELED_BY_CLIENT");
                    }
                }
                else
                {
                    tx.Cancel(orderId, "CANCELED_BY_CLIENT");
                }

                var view = new MarketView(book.Quote, null);
                if (tx.Activated.Count > 0)
                {
                    List<string> activated = [.. tx.Activated];
                    tx.Activated.Clear();
                    Match(tx, symbol, view, activated, book.HaltReason is not null);
                }

                await CommitAcknowledgedAsync(tx, "cancel");
                book.Quote = view.Quote;
                return View(_state, orderId);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            book.Gate.Release();
        }
    }

    public async Task<BrokerOrder?> GetOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        var state = _state;
        if (state.Orders.ContainsKey(orderId))
        {
            return View(state, orderId);
        }

        return state.ArchivedBefore is not null && await _venue.Store.FindArchivedOrderAsync(AccountId, orderId, cancellationToken) is { } archived
            ? PaperOrderMapper.ToBroker(archived)
            : null;
    }

    public async Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        var state = _state;
        if (state.ClientOrderIds.TryGetValue(clientOrderId, out var orderId))
        {
            return View(state, orderId);
        }

        return state.ArchivedBefore is not null
            && await _venue.Store.FindArchivedOrderByClientOrderIdAsync(AccountId, clientOrderId, cancellationToken) is { } archived
            ? PaperOrderMapper.ToBroker(archived)
            : null;
    }

    public async Task<IReadOnlyList<BrokerOrder>> ListOpenOrdersAsync(CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        var state = _state;
        return [.. state.WorkingOrders().Select(r => View(state, r.Order.OrderId))];
    }

    public async Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        return [.. _state.Positions.Values.Where(p => !p.IsFlat).OrderBy(p => p.Symbol, StringComparer.Ordinal)
            .Select(p => new BrokerPosition(p.Symbol, p.Quantity, p.AverageEntryPrice))];
    }

    public async Task<IReadOnlyList<Execution>> GetExecutionsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        var state = _state;
        var recent = state.Executions.Where(e => e.Timestamp >= since).ToList();
        if (state.ArchivedBefore is not { } archivedBefore || since >= archivedBefore)
        {
            return recent;
        }

        var archived = await _venue.Store.LoadArchivedExecutionsAsync(AccountId, since, cancellationToken);
        var seen = recent.Select(e => e.ExecutionId).ToHashSet(StringComparer.Ordinal);
        return [.. archived.Where(e => !seen.Contains(e.ExecutionId)).Concat(recent)];
    }

    public async IAsyncEnumerable<ExecutionReport> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var subscriber = new ReportSubscriber(_venue.Options.MaxSubscriberBacklog);
        lock (_sync)
        {
            _subscribers.Add(subscriber);
            _subscribed.TrySetResult();
        }

        // The wait takes no token (one on a cancellable token allocates a waiter per report waited for; on none the channel
        // reuses its own): a cancellation takes the subscriber off the list and then completes its channel, both under the
        // lock that delivery holds, so no report is delivered into a completed channel (which would read as a reader left
        // behind) and none is read twice. The reads stop at a cancellation as the token's wait did.
        using var leave = cancellationToken.Register(static s =>
        {
            var (account, leaving) = ((PaperAccount, ReportSubscriber))s!;
            account.Leave(leaving);
        }, (this, subscriber));
        try
        {
            while (await subscriber.Reader.WaitToReadAsync(CancellationToken.None))
            {
                cancellationToken.ThrowIfCancellationRequested();
                while (subscriber.Reader.TryRead(out var report))
                {
                    yield return report;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            Leave(subscriber);
        }
    }

    /// <summary>Ends one report stream: off the list first, then its channel completed, under the lock delivery holds.</summary>
    private void Leave(ReportSubscriber subscriber)
    {
        lock (_sync)
        {
            _subscribers.Remove(subscriber);
            if (_subscribers.Count == 0 && _subscribed.Task.IsCompleted)
            {
                _subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            subscriber.Close();
        }
    }

    /// <summary>Completes once a report stream is open, so a caller knows no report can be missed from then on.</summary>
    public Task WhenSubscribedAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            return _subscribed.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Matches this account's working orders in <paramref name="symbol"/>; the caller holds the symbol's gate.</summary>
    public async Task MatchAsync(string symbol, MarketView view)
    {
        if (!_loaded || !MatchableSymbols().Contains(symbol))
        {
            return;
        }

        await _gate.WaitAsync();
        var (quote, trade) = (view.Quote, view.Trade);
        try
        {
            var tx = Begin();
            Match(tx, symbol, view, null, halted: false);
            await CommitAsync(tx);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The fills were not saved: the liquidity they took stays for the other accounts and the next event.
            view.Restore(quote, trade);
            PaperLog.WorkFailed(_venue.Logger, ex, "a market update in " + symbol, AccountId);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_sync)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Close();
            }
        }
    }

    private async Task<BrokerOrder?> AcceptAsync(string orderId)
    {
        if (_state.Orders.GetValueOrDefault(orderId) is not { Held: false } pending || pending.Order.Status != OrderStatus.PendingNew)
        {
            return null;
        }

        var symbol = pending.Order.Symbol;
        var book = _venue.Book(symbol);
        await book.Gate.WaitAsync();
        try
        {
            await _gate.WaitAsync();
            try
            {
                var tx = Begin();
                if (tx.Find(orderId) is not { Held: false } record || record.Order.Status != OrderStatus.PendingNew)
                {
                    return null;
                }

                return await AcceptAndMatchAsync(tx, orderId, book, acknowledgedWork: null);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            book.Gate.Release();
        }
    }

    /// <summary>
    /// Accepts the order, matches it against the book's quote, saves, and returns the order as acknowledged (before its
    /// fills are reported); the caller holds the book's gate and <see cref="_gate"/>. <paramref name="acknowledgedWork"/>
    /// names the client request the save answers (its failure is then OutcomeUnknown), or is null for timed work.
    /// A name rather than a commit callback: a per-submit closure was one of the order path's allocations.
    /// </summary>
    private async Task<BrokerOrder> AcceptAndMatchAsync(PaperTransaction tx, string orderId, SymbolBook book, string? acknowledgedWork)
    {
        var accepted = Accept(tx, orderId, out var reported);

        // Alone, the order's acceptance report already shows it as acknowledged (an immutable view, so it is shared);
        // with an OCO stop-loss accepted after it, the leg has changed since and the view is taken again.
        var acknowledged = accepted.Count == 1 ? reported : tx.View(orderId);
        var view = new MarketView(book.Quote, null);
        Match(tx, tx.Get(orderId).Order.Symbol, view, accepted, book.HaltReason is not null);
        await (acknowledgedWork is null ? CommitAsync(tx) : CommitAcknowledgedAsync(tx, acknowledgedWork));
        book.Quote = view.Quote;
        return acknowledged;
    }

    /// <summary>
    /// Accepts a PendingNew order (and the working stop-loss of an OCO with it); returns the ids to match, and the view
    /// the order's acceptance report carries.
    /// </summary>
    private static List<string> Accept(PaperTransaction tx, string orderId, out BrokerOrder reported)
    {
        var accepted = new List<string> { orderId };
        reported = tx.Accept(orderId);
        if (tx.Get(orderId).GroupId is { } groupId && tx.FindGroup(groupId) is { OrderClass: OrderClass.Oco } oco
            && oco.StopLossOrderId is { } stopLoss && tx.Get(stopLoss).Order.Status == OrderStatus.PendingNew)
        {
            tx.Accept(stopLoss);
            accepted.Add(stopLoss);
        }

        return accepted;
    }

    private async Task ExpireDueAsync()
    {
        await _gate.WaitAsync();
        try
        {
            var tx = Begin();

            // Expiring a partly filled entry activates its exits, which share its close: they expire in the next pass.
            for (var pass = 0; pass < 3; pass++)
            {
                var due = tx.WorkingOrders()
                    .Where(r => !r.Held && r.Order.ExpiresAt is { } at && at <= tx.Now)
                    .Select(r => r.Order.OrderId)
                    .ToList();
                foreach (var id in due)
                {
                    tx.Expire(id);
                }
            }

            await CommitAsync(tx);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Match(PaperTransaction tx, string symbol, MarketView view, IReadOnlyList<string>? only, bool halted)
    {
        if (halted)
        {
            // Nothing matches in a halt; an IOC/FOK order the venue accepts now cannot wait for the resumption.
            foreach (var id in only ?? [])
            {
                if (IsMatchable(tx.Get(id)) && tx.Get(id).Matching?.TimeInForce is TimeInForce.Ioc or TimeInForce.Fok)
                {
                    tx.Cancel(id, "TRADING_HALTED");
                }
            }

            return;
        }

        // The first candidates are distinct ids, so the set of evaluated ones is only built once a fill activates
        // children: most matches (a single new order) never need it.
        var candidates = only ?? MatchableIn(tx, symbol);
        if (candidates.Count == 0)
        {
            return;
        }

        foreach (var id in candidates)
        {
            Evaluate(tx, id, view, activatedNow: false);
        }

        if (tx.Activated.Count == 0)
        {
            return;
        }

        var evaluated = new HashSet<string>(candidates, StringComparer.Ordinal);
        while (tx.Activated.Count > 0)
        {
            candidates = NotYetEvaluated(tx.Activated, evaluated);
            tx.Activated.Clear();
            foreach (var id in candidates)
            {
                if (evaluated.Add(id))
                {
                    Evaluate(tx, id, view, activatedNow: true);
                }
            }
        }
    }

    // The queries of Match live in their own methods so that their closures are made only when they run, not on
    // every match of a single new order.
    private static List<string> MatchableIn(PaperTransaction tx, string symbol) => [.. tx.WorkingOrders()
        .Where(r => r.Order.Symbol == symbol && IsMatchable(r))
        .Select(r => r.Order.OrderId)];

    private static List<string> NotYetEvaluated(List<string> activated, HashSet<string> evaluated) =>
        [.. activated.Where(id => !evaluated.Contains(id))];

    /// <summary>
    /// Evaluates one order against the event. An exit leg <paramref name="activatedNow"/> (by a fill in this event) was not
    /// resting when the event's trade printed, so the trade can neither trigger it nor fill it: it sees the quote only,
    /// and the trade from the next event on.
    /// </summary>
    private void Evaluate(PaperTransaction tx, string orderId, MarketView view, bool activatedNow)
    {
        var record = tx.Get(orderId);
        if (!IsMatchable(record) || record.Matching is not { } matching)
        {
            return;
        }

        if (!_venue.Calendar.IsOpen(tx.Now, record.Order.Request.ExtendedHours))
        {
            if (matching.TimeInForce is TimeInForce.Ioc or TimeInForce.Fok)
            {
                tx.Cancel(orderId, "MARKET_CLOSED");
            }

            return;
        }

        var quotedThisSession = IsOfThisSession(view.Quote, tx.Now, record.Order.Request.ExtendedHours);
        var quote = quotedThisSession ? view.Quote : WithoutTouch(view.Quote);
        var market = new MarketSnapshot { Now = tx.Now, Quote = quote, Trade = activatedNow ? null : view.Trade, PrintSize = view.PrintSize };
        var options = _venue.FillOptionsFor(record.Order);
        var decision = FillModel.Evaluate(matching, market, options);
        if (decision.Quantity > 0m && decision.Price is { } price)
        {
            var liquidity = view.Consume(matching, decision.Quantity, options, quotedThisSession);
            tx.Fill(orderId, decision.Quantity, price, liquidity, decision.Order);
        }
        else
        {
            tx.Track(orderId, decision.Order);
        }

        switch (decision.Outcome)
        {
            case FillOutcome.Cancel:
                // A touch quoted before the session has no size for want of a quote of this session, not because fills took it.
                var reason = !quotedThisSession && decision.Reason == FillReasons.NothingAvailable ? FillReasons.QuoteMissing : decision.Reason;
                tx.Cancel(orderId, reason);
                break;
            case FillOutcome.Expire:
                tx.Expire(orderId);
                break;
            case FillOutcome.NoFill:
            case FillOutcome.Fill:
                break;
            default:
                throw new InvalidOperationException($"Unknown fill outcome {decision.Outcome}.");
        }
    }

    /// <summary>
    /// Whether the standing quote was quoted in the session now open: Friday's last quote (or the pre-market's, for a
    /// regular-hours order) still stands in the book when Monday's first trade prints, and an order resting over the
    /// weekend must not fill at its touch. Such an order waits for the session's first quote.
    /// </summary>
    private bool IsOfThisSession(QuoteTick? quote, DateTimeOffset now, bool extendedHours) =>
        quote is null || _venue.Calendar.OpenedAt(now, extendedHours) is not { } opened || quote.Timestamp >= opened;

    /// <summary>
    /// A quote from before the session with no size at its touch: nothing fills at Friday's prices, but a resting limit is
    /// still filled at its limit by the open's first print through it (it was in the book for the opening trade), which
    /// dropping the quote altogether would miss whenever the session's first quote is no longer marketable for it.
    /// </summary>
    private static QuoteTick? WithoutTouch(QuoteTick? quote) => quote is null ? null : quote with { BidSize = 0m, AskSize = 0m };

    /// <summary>
    /// What a replacement keeps of the replaced order's matching state, or null when nothing: a trailing stop keeps its
    /// water mark (the new trail is set off the high seen since it was placed, not restarted at the next trade), and a stop
    /// whose level the replace did not move stays triggered (it had already become a market or limit order).
    /// </summary>
    private static SimulatedOrder? Continued(SimulatedOrder before, SimulatedOrder fresh, OrderRequest old, OrderRequest replacement)
    {
        var sameLevel = old.StopPrice == replacement.StopPrice && old.TrailPrice == replacement.TrailPrice && old.TrailPercent == replacement.TrailPercent;
        var triggered = before.Triggered && sameLevel;
        if (before.WaterMark is null && !triggered)
        {
            return null;
        }

        return fresh with { WaterMark = before.WaterMark, Triggered = triggered };
    }

    private static bool IsMatchable(PaperOrderRecord record) =>
        !record.Held && record.Order.Status.IsWorking() && record.Order.Status != OrderStatus.PendingNew;

    private PaperTransaction Begin() =>
        new(_state, _venue.Time.GetUtcNow(), _fees, _venue.Options.AckLatency, _venue.Options.FillLatency);

    /// <summary>Commits a client request: a failed save means the venue cannot say whether it kept the change.</summary>
    private async Task CommitAcknowledgedAsync(PaperTransaction tx, string work)
    {
        try
        {
            await CommitAsync(tx);
        }
        catch (Exception ex) when (ex is not BrokerException)
        {
            PaperLog.WorkFailed(_venue.Logger, ex, work, AccountId);
            throw new BrokerException(BrokerErrorKind.OutcomeUnknown, $"The paper venue could not persist the {work}; resolve it by client order id.", ex);
        }
    }

    /// <summary>Saves the change, then swaps it in and publishes its reports: nothing is reported that a restart could lose.</summary>
    private async Task CommitAsync(PaperTransaction tx)
    {
        if (!tx.Changed)
        {
            return;
        }

        var built = tx.Build();
        var next = await ArchiveAsync(built, tx.Now);

        // Archiving removes orders and executions the transaction did not touch: the store then takes the whole state.
        var change = ReferenceEquals(next, built) ? tx.Change() : null;
        await _venue.Store.SaveAsync(AccountId, change, next.ToSnapshot, CancellationToken.None);
        _state = next;
        Publish(tx.Reports, tx.Now);
    }

    /// <summary>
    /// Moves final orders and executions older than the retention window to the store's archive, then out of memory; and,
    /// when the account holds more than <see cref="PaperExchangeOptions.MaxRetainedOrders"/>, the oldest final ones until
    /// half of that is left.
    /// </summary>
    private async Task<PaperAccountState> ArchiveAsync(PaperAccountState state, DateTimeOffset now)
    {
        var elapsed = Elapsed;
        var crowded = state.Orders.Count > _archiveAtCount;
        var due = elapsed >= _nextArchiveDue;
        if (!due && !crowded)
        {
            return state;
        }

        RetentionPasses++;
        var retention = _venue.Options.Retention;
        var maxRetained = _venue.Options.MaxRetainedOrders;
        var cutoff = AgeCutoff(now - retention, elapsed);
        if (due)
        {
            _nextArchiveDue = elapsed + (retention / 10);
        }

        // By count the oldest final orders leave until half the bound is left, exactly: ties at one time are cut by arrival.
        var keepFrom = crowded ? state.CutoffKeeping(maxRetained / 2) : null;
        var (archive, remaining) = state.SplitForArchive(cutoff, keepFrom);

        // Orders that cannot leave (working ones, and final members of groups, which leave only with the whole group) must
        // not make every commit walk the state again: the next pass by count waits for another half of the bound beyond
        // them. Final orders that stayed only because they are young do not count: they did, and a pass by time (the first after a
        // restart, say) then let the account hold up to one and a half times the bound.
        var cannotLeave = remaining.Orders.Count - remaining.Orders.Values.Count(r => r.Order.Status.IsFinal() && r.GroupId is null);
        _archiveAtCount = Math.Max(maxRetained, cannotLeave + (maxRetained / 2));
        if (archive.Orders.Count == 0 && archive.Executions.Count == 0)
        {
            // Nothing to write; only groups left behind by earlier builds (every member already archived) drop.
            return remaining;
        }

        await _venue.Store.ArchiveAsync(AccountId, archive, CancellationToken.None);
        PaperLog.Archived(_venue.Logger, AccountId, archive.Orders.Count, archive.Executions.Count);
        return remaining;
    }

    /// <summary>
    /// The cutoff by age: the orders' ages are their wall stamps against the clock, so it follows the clock, but moves
    /// forward at most <see cref="ArchiveCatchUpRate"/> times the elapsed time since the last pass. Stepped a day forward,
    /// the clock aged every final order a day at once and the whole window left memory in one write; now the step drains
    /// over as long as the step, a pass moving at most twice what it would without it. Set back, the cutoff follows the
    /// clock back (orders stamped after the step must not leave early); a restart starts from the clock, as after downtime.
    /// </summary>
    private DateTimeOffset AgeCutoff(DateTimeOffset byClock, TimeSpan elapsed)
    {
        var cutoff = byClock;
        if (_lastArchiveCutoff is { } last && cutoff - last.Cutoff > ArchiveCatchUpRate * (elapsed - last.TakenAt))
        {
            cutoff = last.Cutoff + (ArchiveCatchUpRate * (elapsed - last.TakenAt));
        }

        _lastArchiveCutoff = (cutoff, elapsed);
        return cutoff;
    }

    private void Publish(List<PendingReport> reports, DateTimeOffset now)
    {
        lock (_sync)
        {
            var elapsed = Elapsed;
            foreach (var pending in reports)
            {
                var due = elapsed + pending.Latency;
                _lastReportDue = due > _lastReportDue ? due : _lastReportDue;
                _outbox.Enqueue((_lastReportDue, pending.Report));
            }

            FlushDue(elapsed);
            Rearm(now);
        }
    }

    /// <summary>Delivers every report that is due, in order; the caller holds <see cref="_sync"/>.</summary>
    private void FlushDue(TimeSpan elapsed)
    {
        while (_outbox.TryPeek(out var head) && head.Due <= elapsed)
        {
            _outbox.Dequeue();
            for (var i = _subscribers.Count - 1; i >= 0; i--)
            {
                if (!_subscribers[i].TryDeliver(head.Report))
                {
                    PaperLog.SubscriberDisconnected(_venue.Logger, AccountId, _venue.Options.MaxSubscriberBacklog);
                    _subscribers.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Arms the timer for the earliest pending work; the caller holds <see cref="_sync"/>.</summary>
    private void Rearm(DateTimeOffset now)
    {
        var elapsed = Elapsed;
        TimeSpan? wait = null;
        if (_outbox.TryPeek(out var report))
        {
            wait = report.Due - elapsed;
        }

        if (_acks.TryPeek(out var ack) && (wait is null || ack.Due - elapsed < wait))
        {
            wait = ack.Due - elapsed;
        }

        // DAY expiries are on the wall clock (the session's close), the timer counts elapsed time: armed for the whole six
        // hours to a 16:00 close, it left DAY orders working for those six hours after the clock stepped past the close (a
        // host resumed after a suspension, a clock set forward). A wait is taken a minute at a time, each step reading the
        // clock again.
        if (_expiries.Count > 0 && (wait is null || _expiries.Min - now < wait))
        {
            wait = _expiries.Min - now;
        }

        var delay = wait is { } left ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : Timeout.InfiniteTimeSpan;
        _timer.Change(delay > LongestTimerStep ? LongestTimerStep : delay, Timeout.InfiniteTimeSpan);
    }

    private void AddExpiries(IEnumerable<PaperOrderRecord> records)
    {
        foreach (var record in records)
        {
            AddExpiry(record);
        }
    }

    /// <summary>The expiries of the orders a transaction added, as they stand at its end (accepted, matched).</summary>
    private void AddExpiries(PaperTransaction tx, List<PaperOrderRecord> added)
    {
        foreach (var record in added)
        {
            AddExpiry(tx.Get(record.Order.OrderId));
        }
    }

    private void AddExpiry(PaperOrderRecord record)
    {
        if (record.Order.ExpiresAt is { } at && record.Order.Status.IsWorking())
        {
            _expiries.Add(at);
        }
    }

    /// <summary>After a restore: pending acknowledgements and DAY expiries resume; reports already published are not repeated.</summary>
    private void Resume(PaperAccountState state)
    {
        var now = _venue.Time.GetUtcNow();
        lock (_sync)
        {
            // The stored creation time is all a restore has: what is left of the latency, at most the latency itself (a
            // clock set back since must not hold the acknowledgement until it reads the due time again).
            var elapsed = Elapsed;
            foreach (var pending in state.WorkingOrders().Where(r => !r.Held && r.Order.Status == OrderStatus.PendingNew))
            {
                var left = pending.Order.CreatedAt + _venue.Options.AckLatency - now;
                left = left < TimeSpan.Zero ? TimeSpan.Zero : left > _venue.Options.AckLatency ? _venue.Options.AckLatency : left;
                _acks.Enqueue((elapsed + left, pending.Order.OrderId));
            }

            AddExpiries(state.WorkingOrders());
            Rearm(now);
        }

        PaperLog.Restored(_venue.Logger, AccountId, state.Working.Count, state.Executions.Count);
    }

    /// <summary>Elapsed time since this account was made: the line report and acknowledgement due times are on.</summary>
    private TimeSpan Elapsed => _venue.Time.GetElapsedTime(_createdStamp);

    private void OnTimer() => _ = ProcessDueAsync();

    private async Task ProcessDueAsync()
    {
        var now = _venue.Time.GetUtcNow();
        var elapsed = Elapsed;
        var acks = new List<string>();
        var expire = false;
        lock (_sync)
        {
            FlushDue(elapsed);
            while (_acks.TryPeek(out var ack) && ack.Due <= elapsed)
            {
                acks.Add(_acks.Dequeue().OrderId);
            }

            while (_expiries.Count > 0 && _expiries.Min <= now)
            {
                _expiries.Remove(_expiries.Min);
                expire = true;
            }
        }

        foreach (var orderId in acks)
        {
            try
            {
                await AcceptAsync(orderId);
            }
            catch (Exception ex)
            {
                PaperLog.WorkFailed(_venue.Logger, ex, "an acknowledgement", AccountId);
                lock (_sync)
                {
                    _acks.Enqueue((elapsed + RetryDelay, orderId));
                }
            }
        }

        if (expire)
        {
            try
            {
                await ExpireDueAsync();
            }
            catch (Exception ex)
            {
                PaperLog.WorkFailed(_venue.Logger, ex, "DAY expiry", AccountId);
                lock (_sync)
                {
                    _expiries.Add(now + RetryDelay);
                }
            }
        }

        lock (_sync)
        {
            Rearm(_venue.Time.GetUtcNow());
        }
    }

    private async Task<string> SymbolOfAsync(string orderId, CancellationToken cancellationToken)
    {
        if (_state.Orders.GetValueOrDefault(orderId) is { } record)
        {
            return record.Order.Symbol;
        }

        if (_state.ArchivedBefore is not null && await _venue.Store.FindArchivedOrderAsync(AccountId, orderId, cancellationToken) is { } archived)
        {
            throw new BrokerException(BrokerErrorKind.Rejected, $"ORDER_IS_FINAL: order {orderId} is {archived.Order.Status}.");
        }

        throw NotFound(orderId);
    }

    /// <summary>
    /// The symbols this account has matchable orders in, computed once per saved state rather than on every market
    /// update: a busy feed asks per tick, and the scan costs the account's retained orders.
    /// </summary>
    private HashSet<string> MatchableSymbols()
    {
        var state = _state;
        if (_matchable is { } cached && ReferenceEquals(cached.State, state))
        {
            return cached.Symbols;
        }

        var fresh = new MatchableSymbolsOf(state, state.MatchableSymbols());
        _matchable = fresh;
        return fresh.Symbols;
    }

    private sealed record MatchableSymbolsOf(PaperAccountState State, HashSet<string> Symbols);

    private static BrokerException NotFound(string orderId) => new(BrokerErrorKind.NotFound, $"Order {orderId} is not known to the paper venue.");

    private static BrokerOrder View(PaperAccountState state, string orderId) =>
        PaperOrderMapper.ToBroker(state.Orders[orderId], state.Groups, state.Orders);
}
