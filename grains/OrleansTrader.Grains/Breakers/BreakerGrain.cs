using Microsoft.Extensions.Logging;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Diagnostics;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Breakers;

/// <summary>
/// A circuit breaker over the domain's <see cref="CircuitBreaker"/>: every transition is persisted, audited and told to
/// the listening accounts before it is acknowledged. The account-keyed breaker's listener is the account with its key;
/// the global breaker's listeners are every account that registered.
/// </summary>
internal sealed partial class BreakerGrain(
    [PersistentState("breaker")] IPersistentState<BreakerState> state,
    TimeProvider time,
    TradingEnvironment environment,
    GrainsMetrics metrics,
    ILogger<BreakerGrain> logger) : Grain, IBreakerGrain
{
    /// <summary>The transitions the audit keeps, the latest.</summary>
    internal const int MaxAudit = 1000;
    private static readonly TimeSpan NotifyTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan EvaluateInterval = TimeSpan.FromSeconds(1);

    /// <summary>The state this activation is counted under in the breaker-state metric (the persisted one).</summary>
    private TradingState _countedState;

    /// <summary>
    /// The freshest market data heard in this activation, as elapsed time: when it was heard (a <see cref="TimeProvider.GetTimestamp"/>)
    /// and how old it was then. Its age now adds the time elapsed since, which a wall-clock step does not change; two wall
    /// times compared instead made a clock stepped a minute forward (NTP, a host resumed) trip every account to REDUCING
    /// before the feed's next report, and one set back an hour judged a feed dead since then fresh for that hour.
    /// The activation counts as data heard at once: the stored time can be hours old (see <see cref="MarketDataJudgedFrom"/>).
    /// </summary>
    private long _marketDataHeardAt;

    private TimeSpan _marketDataAgeWhenHeard;

    /// <summary>
    /// The triggers the stored P&amp;L and equity hold (see <see cref="ReportAccountSignalsAsync"/>): what a restarted breaker
    /// would judge a reset on.
    /// </summary>
    private BreakerTrigger[] _storedAccountConditions = [];

    /// <summary>Whether the error-rate condition held at the last outcomes reported (see <see cref="ReportBrokerOutcomesAsync"/>).</summary>
    private bool _errorRateHeld;

    // The error-rate window's wall-clock steps: its outcomes are moved with them (AlignOutcomesToClock).
    private readonly WallClockStepWatch _outcomesClock = new(time);

    private string Key => this.GetPrimaryKeyString();

    private string Scope => Key == BreakerKeys.Global ? BreakerScopes.Global : BreakerScopes.Account;

    private BreakerState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _marketDataHeardAt = time.GetTimestamp();
        _marketDataAgeWhenHeard = TimeSpan.Zero;
        _storedAccountConditions = AccountConditions(time.GetUtcNow());
        var readAt = _outcomesClock.Restart();

        // Stored wall times are all there is across a restart; an outcome ahead of the clock (set back since) counts as now.
        for (var i = 0; i < S.Outcomes.Count; i++)
        {
            if (S.Outcomes[i].At > readAt)
            {
                S.Outcomes[i] = S.Outcomes[i] with { At = readAt };
            }
        }

        _errorRateHeld = ErrorRateHolds(readAt);
        RegisterGrainTimer(EvaluateTickAsync, EvaluateInterval, EvaluateInterval);
        _countedState = S.Status.State;
        metrics.BreakerActivated(Scope, _countedState);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.BreakerDeactivated(Scope, _countedState);
        return Task.CompletedTask;
    }

    public Task<BreakerSnapshot> GetStateAsync() => Task.FromResult(Snapshot());

    public async Task<BreakerCommandResult> TripAsync(TradingState target, BreakerActor actor, string reason)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var result = CircuitBreaker.Trip(S.Status, target, actor, reason, time.GetUtcNow());
        return await ApplyAsync(result);
    }

    public async Task<BreakerCommandResult> ResetAsync(TradingState state, BreakerActor actor, string reason, bool force)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var (signals, now) = SignalsNow();
        var result = CircuitBreaker.Reset(S.Status, state, S.Policy, signals, actor, reason, force, now);
        return await ApplyAsync(result);
    }

    public Task<IReadOnlyList<BreakerAuditEntry>> GetAuditAsync(int limit) =>
        Task.FromResult<IReadOnlyList<BreakerAuditEntry>>([.. S.Audit.AsEnumerable().Reverse().Take(Math.Clamp(limit, 0, MaxAudit))]);

    public Task<BreakerAuditPage> GetAuditPageAsync(long afterVersion, int limit)
    {
        // Every transition takes the next version and an audit entry, so the kept entries run without gaps from the oldest.
        var oldest = S.Audit.Count > 0 ? S.Audit[0].Version : S.Version + 1;
        return Task.FromResult(new BreakerAuditPage
        {
            Entries = [.. S.Audit.Where(a => a.Version > afterVersion).Take(Math.Clamp(limit, 0, MaxAudit))],
            OldestVersion = oldest,
            LastVersion = S.Version,
            // Not afterVersion + 1 < oldest: a version of long.MaxValue would overflow. Past the newest version, as on the
            // journal's pages: the breaker's storage was reset or restored, and the versions after it went to other transitions.
            Truncated = afterVersion < oldest - 1 || afterVersion > S.Version,
        });
    }

    public Task<BreakerPolicy> GetPolicyAsync() => Task.FromResult(S.Policy);

    public async Task<BreakerCommandResult> SetPolicyAsync(BreakerPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var errors = policy.Validate();
        if (errors.Count > 0)
        {
            return new BreakerCommandResult(false, Snapshot(), errors[0].Code, string.Join(" ", errors.Select(e => e.Message)));
        }

        var previous = S.Policy;
        S.Policy = policy;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            S.Policy = previous;
            throw;
        }

        return new BreakerCommandResult(true, Snapshot());
    }

    public async Task<BreakerSnapshot> ReportAccountSignalsAsync(AccountSignals signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        S.DayPnl = signals.DayPnl;
        S.DayPnlAt = signals.At;
        S.Equity = signals.Equity;
        S.HighWaterMark = signals.HighWaterMark;

        // Signals are otherwise written only with a transition, and a reset is judged on them: a condition that starts or
        // stops holding without one (a drawdown reached while halted by hand) is written with the signals that show it.
        // Else a restart judged the reset on the last transition's signals, and let it through with the account 10% down.
        var holding = AccountConditions(time.GetUtcNow());
        var snapshot = await EvaluateCoreAsync(persistAnyway: !holding.AsSpan().SequenceEqual(_storedAccountConditions));
        _storedAccountConditions = holding;
        return snapshot;
    }

    public async Task<BreakerSnapshot> ReportBrokerOutcomesAsync(IReadOnlyList<BrokerOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        BrokerOutcomeWindow.AddRange(S.Outcomes, outcomes);
        PruneOutcomes();

        // A reset is judged on the window, which was written only along with something else (a transition): an error rate
        // reached without one (while halted by hand) was lost by a restart, and the reset let through with half the broker
        // calls failing. While the rate holds each report is written (written only when it starts holding, its first errors
        // expired from the stored window while later ones kept it holding), and once more when it stops holding.
        var holding = ErrorRateHolds(time.GetUtcNow());
        var snapshot = await EvaluateCoreAsync(persistAnyway: holding || _errorRateHeld);
        _errorRateHeld = holding;
        return snapshot;
    }

    public async Task<BreakerSnapshot> ReportMarketDataAsync(DateTimeOffset lastMarketDataAt)
    {
        // The time reported is the silo's wall clock at the data's arrival: its age is read on the same clock at once, and
        // from then on counted as elapsed time.
        var heardAt = time.GetTimestamp();
        var age = time.GetUtcNow() - lastMarketDataAt;
        age = age > TimeSpan.Zero ? age : TimeSpan.Zero;
        if (S.LastMarketDataAt is null)
        {
            // The first time heard is written: a restart with no stored time would never judge a feed that stays silent.
            S.LastMarketDataAt = lastMarketDataAt;
            (_marketDataHeardAt, _marketDataAgeWhenHeard) = (heardAt, age);
            try
            {
                return await EvaluateCoreAsync(persistAnyway: true);
            }
            catch
            {
                S.LastMarketDataAt = null;
                throw;
            }
        }

        if (age < MarketDataAge())
        {
            S.LastMarketDataAt = lastMarketDataAt;
            (_marketDataHeardAt, _marketDataAgeWhenHeard) = (heardAt, age);
        }

        return await EvaluateCoreAsync(persistAnyway: false);
    }

    public Task<BreakerSnapshot> EvaluateAsync() => EvaluateCoreAsync(persistAnyway: false);

    public async Task<BreakerSnapshot> RegisterListenerAsync(string accountId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        if (!S.Listeners.Contains(accountId, StringComparer.Ordinal))
        {
            S.Listeners.Add(accountId);
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                // Kept only in memory, the retry would find it and write nothing, and the next activation forget it.
                S.Listeners.Remove(accountId);
                throw;
            }
        }

        return Snapshot();
    }

    private async Task EvaluateTickAsync(CancellationToken cancellationToken)
    {
        if (S.LastMarketDataAt is null && S.Outcomes.Count == 0)
        {
            return;
        }

        try
        {
            PruneOutcomes();
            await EvaluateCoreAsync(persistAnyway: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            BreakerLog.EvaluationFailed(logger, ex, Key);
        }
    }

    private async Task<BreakerSnapshot> EvaluateCoreAsync(bool persistAnyway)
    {
        AlignOutcomesToClock();
        var (signals, now) = SignalsNow();
        var result = CircuitBreaker.Evaluate(S.Status, S.Policy, signals, now);
        if (result.IsSuccess && result.Value!.Transitions.Count > 0)
        {
            await ApplyAsync(result);
        }
        else if (result.IsSuccess && !ReferenceEquals(result.Value!.Status, S.Status))
        {
            // An override of a forced reset cleared: written, so a restart does not bring it back.
            var before = S.Status;
            S.Status = result.Value.Status;
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                S.Status = before;
                throw;
            }
        }
        else if (persistAnyway)
        {
            await state.WriteStateAsync();
        }

        return Snapshot();
    }

    private async Task<BreakerCommandResult> ApplyAsync(Result<BreakerEvaluation> result)
    {
        if (!result.IsSuccess)
        {
            return new BreakerCommandResult(false, Snapshot(), result.Error!.Code, result.Error.Message);
        }

        var evaluation = result.Value!;

        // Persisted before it takes effect: a write that fails leaves the breaker (its state, version and audit) as it was,
        // so no account reads a transition that a restart would undo.
        var before = (S.Status, S.Version, S.LastReason, S.LastActor, Audit: S.Audit.ToList());
        foreach (var transition in evaluation.Transitions)
        {
            S.Version++;
            S.Audit.Add(new BreakerAuditEntry(S.Version, transition));
            S.LastReason = transition.Reason;
            S.LastActor = transition.Actor;
        }

        if (S.Audit.Count > MaxAudit)
        {
            S.Audit.RemoveRange(0, S.Audit.Count - MaxAudit);
        }

        S.Status = evaluation.Status;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            (S.Status, S.Version, S.LastReason, S.LastActor, S.Audit) = before;
            throw;
        }

        // Logged once written: a failed write is no transition (the caller gets its exception), so it logs none.
        foreach (var transition in evaluation.Transitions)
        {
            BreakerLog.Transition(logger, Key, transition.From, transition.To, transition.Trigger, transition.Actor, transition.Reason);
        }

        metrics.BreakerChanged(Scope, _countedState, S.Status.State, evaluation.Transitions);
        _countedState = S.Status.State;
        var snapshot = Snapshot();
        await NotifyAsync(snapshot);
        return new BreakerCommandResult(true, snapshot);
    }

    /// <summary>Tells the listening accounts; a listener that does not answer in time refreshes on its own timer.</summary>
    private async Task NotifyAsync(BreakerSnapshot snapshot)
    {
        IEnumerable<string> listeners = Key == BreakerKeys.Global ? S.Listeners : [Key];
        var calls = listeners.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).OnBreakerChangedAsync(snapshot)).ToArray();
        try
        {
            await Task.WhenAll(calls).WaitAsync(NotifyTimeout, time);
        }
        catch (Exception ex)
        {
            BreakerLog.NotifyFailed(logger, ex, Key);
        }
    }

    /// <summary>
    /// The signals and the time they are judged at, read once: the market data's age is read before the clock, so a clock
    /// read apart from it (a test's fake clock moving timer by timer between the two) can make the data look younger by that
    /// gap, never older (a false trip: an IEX feed silent after its hours' end was judged stale inside them).
    /// </summary>
    private (BreakerSignals Signals, DateTimeOffset Now) SignalsNow()
    {
        var marketDataAge = MarketDataAge();
        var now = time.GetUtcNow();
        return (new BreakerSignals
        {
            DayPnl = DayPnlOfToday(now),
            Equity = S.Equity,
            HighWaterMark = S.HighWaterMark,
            BrokerOutcomes = S.Outcomes,
            LastMarketDataAt = MarketDataJudgedFrom(now, marketDataAge),
        }, now);
    }

    /// <summary>
    /// The time market data is judged stale from, by the calendar and the feed's hours (<see cref="MarketDataFreshness"/>); null outside them.
    /// The time is written when first heard, then only with a transition, so after a restart the stored one can be hours behind what the breaker
    /// heard: an activation judges from itself, giving the feed the max age to report before it counts as stale. The data's
    /// age is elapsed time (<see cref="MarketDataAge"/>), placed on the wall clock of now for the calendar's questions.
    /// </summary>
    private DateTimeOffset? MarketDataJudgedFrom(DateTimeOffset now, TimeSpan marketDataAge) =>
        S.LastMarketDataAt is not null
            ? MarketDataFreshness.JudgedFrom(environment.Calendar, environment.FeedHours, now - marketDataAge, now)
            : null;

    /// <summary>How old the freshest market data heard is now (or this activation, if it heard none fresher).</summary>
    private TimeSpan MarketDataAge() => _marketDataAgeWhenHeard + time.GetElapsedTime(_marketDataHeardAt);

    /// <summary>The P&amp;L and equity triggers whose conditions the signals in the state hold now.</summary>
    private BreakerTrigger[] AccountConditions(DateTimeOffset now) =>
        [.. CircuitBreaker.Conditions(S.Policy, new BreakerSignals { DayPnl = DayPnlOfToday(now), Equity = S.Equity, HighWaterMark = S.HighWaterMark }, now)
            .Select(c => c.Trigger)];

    /// <summary>Whether the error-rate window holds the broker error-rate condition now.</summary>
    private bool ErrorRateHolds(DateTimeOffset now) =>
        CircuitBreaker.Conditions(S.Policy, new BreakerSignals { BrokerOutcomes = S.Outcomes }, now)
            .Any(c => c.Trigger == BreakerTrigger.BrokerErrorRate);

    /// <summary>
    /// The day P&amp;L last reported, while its trading date (the calendar's, as the account's day) is today's: a past
    /// day's loss is not judged, so an account idle since it tripped does not hold its breaker on yesterday's loss. A
    /// record from before the date was kept judges it as before.
    /// </summary>
    private decimal? DayPnlOfToday(DateTimeOffset now) =>
        S.DayPnlAt is not { } at || environment.Calendar.TradingDate(at) == environment.Calendar.TradingDate(now) ? S.DayPnl : null;

    /// <summary>
    /// Moves the error-rate window's times by a wall-clock step since it last read the clock, so the window holds the
    /// outcomes of the elapsed time it spans: stepped an hour forward, the errors of the last minutes were pruned at once
    /// (a failing broker no longer tripped the breaker); set back, they sat ahead of the clock, uncounted and kept for the
    /// hour, and counted again once the clock caught up with them. The policy keeps judging wall times, now of the clock as
    /// it reads. Outcomes reported later carry the reporting account's clock, a second or so after the call.
    /// </summary>
    private void AlignOutcomesToClock()
    {
        var stepped = _outcomesClock.StepTo(time.GetUtcNow());
        if (stepped == TimeSpan.Zero)
        {
            return;
        }

        for (var i = 0; i < S.Outcomes.Count; i++)
        {
            S.Outcomes[i] = S.Outcomes[i] with { At = S.Outcomes[i].At + stepped };
        }
    }

    private void PruneOutcomes()
    {
        AlignOutcomesToClock();
        // Outcomes arrive in time order, so the expired ones are a prefix and most calls find none. One out of order only
        // stays longer: the evaluation counts the window by time anyway.
        var since = time.GetUtcNow() - S.Policy.ErrorWindow;
        var expired = 0;
        while (expired < S.Outcomes.Count && S.Outcomes[expired].At <= since)
        {
            expired++;
        }

        S.Outcomes.RemoveRange(0, expired);

        // A bound on entries, not calls: at about two entries a second it is hours of window.
        if (S.Outcomes.Count > 10_000)
        {
            S.Outcomes.RemoveRange(0, S.Outcomes.Count - 10_000);
        }
    }

    private BreakerSnapshot Snapshot() => new()
    {
        BreakerId = Key,
        State = S.Status.State,
        Since = S.Status.Since,
        LastTrigger = S.Status.LastTrigger,
        LastReason = S.LastReason,
        LastActor = S.LastActor,
        Version = S.Version,
    };
}
