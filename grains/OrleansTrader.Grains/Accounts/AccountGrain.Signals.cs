using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>Marks, and the signals the breaker evaluates (P&amp;L, equity, broker outcomes); the trading day is in AccountGrain.Days.</summary>
internal sealed partial class AccountGrain
{
    private async Task SignalTickAsync(CancellationToken cancellationToken)
    {
        if (!S.IsOpen)
        {
            EndSignalOutage();
            return;
        }

        var reports = _signalReports;
        try
        {
            await SignalAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSignalFailed(ex);

            // A tick that failed after its signals reached the breaker (its own write, a breaker state read) left the
            // breaker's triggers working; one that failed before, or at the breaker's call, did not.
            if (_signalReports == reports)
            {
                SignalsMissed(ex);
            }

            return;
        }

        EndSignalOutage();
        if (_signalFailures?.Succeed() is { } ended)
        {
            AccountLog.SignalsReportedAgain(logger, AccountId, ended.Failures, ended.Lasted);
        }
    }

    /// <summary>
    /// The breaker did not hear this tick's P&amp;L and equity, so its daily-loss and drawdown triggers cannot trip: counted,
    /// and shown by readiness (breaker-signals) until a report goes through, with the error's type only.
    /// </summary>
    private void SignalsMissed(Exception exception)
    {
        metrics.BreakerSignalsFailed();
        _signalOutage = new BreakerSignalOutages.BreakerSignalOutage(
            _signalOutage?.Since ?? time.GetUtcNow(), (_signalOutage?.Failures ?? 0) + 1, exception.GetType().Name);
        signalOutages.Set(AccountId, _signalOutage);
    }

    private void EndSignalOutage()
    {
        if (_signalOutage is not null)
        {
            _signalOutage = null;
            signalOutages.End(AccountId);
        }
    }

    /// <summary>
    /// A breaker that cannot be reached (its storage failing) failed the tick every second for as long as it lasted, each a
    /// warning: the first of a streak warns, the rest are Debug, and the next tick that goes through says how many failed.
    /// </summary>
    private void LogSignalFailed(Exception exception)
    {
        _signalFailures ??= new FailureStreak(time);
        if (_signalFailures.Fail())
        {
            AccountLog.SignalFailed(logger, exception, AccountId);
        }
        else
        {
            AccountLog.SignalFailedAgain(logger, exception, AccountId, _signalFailures.Failures);
        }
    }

    private async Task SignalAsync()
    {
        // Before the roll, so a transfer made before midnight goes into the day it was made (it writes what it applies).
        // Storage failing here leaves it for the next tick; it does not hold back the breaker's signals below.
        try
        {
            await ApplyUncertainTransferAsync();
        }
        catch (Exception exception)
        {
            AccountLog.UncertainTransferNotApplied(logger, exception, AccountId);
        }

        var ledger = S.Ledger;
        var day = S.TradingDay;
        try
        {
            await RefreshOpenMarksAsync();
            await RollDayAsync();
            await ReportSignalsAsync();

            // Self-healing: a breaker notice that timed out or was lost is picked up here.
            await OnBreakerChangedAsync(await Breaker.GetStateAsync());
            await OnBreakerChangedAsync(await GrainFactory.GetGrain<IBreakerGrain>(BreakerKeys.Global).GetStateAsync());
        }
        catch
        {
            // A breaker call that failed after the day rolled or the high-water mark moved skips the write below. The next
            // tick compares with what it starts from and would find nothing to write, and a deactivation would drop the
            // roll (the next activation rolled from the day before, and the lost day had no row): they write it instead.
            _persistDeferred |= !ReferenceEquals(ledger, S.Ledger) || day != S.TradingDay;
            throw;
        }

        // An idle account writes nothing: only a new day, a new high-water mark, notices, a deferred acceptance or a
        // write that failed before make the tick persist.
        if (_persistDeferred || _persistIncomplete || HasUnsavedNotices() || !ReferenceEquals(ledger, S.Ledger) || day != S.TradingDay)
        {
            await PersistAsync();
        }
    }

    /// <summary>
    /// After a fill the breaker hears at once only when it has to act: a pending broker error, or P&amp;L and equity that
    /// trip a trigger by the domain's own conditions (the breaker evaluates the same function on the same values, with the
    /// policy this account gave it). Everything else goes with the signal tick, at most a second later.
    /// </summary>
    private async Task ReportSignalsAfterFillAsync()
    {
        if (DateChanged())
        {
            // A fill after midnight, before the tick rolled the day: its day P&L is still measured from yesterday's start,
            // and the breaker would judge yesterday's loss and today's together as today's. The tick's work rolls it first.
            await SignalAsync();
            return;
        }

        var pendingError = _brokerOutcomes.Exists(o => o.IsError);
        var breach = false;

        // The fill's equity is in the high-water mark already (OnReportAsync marks it before the fill's write).
        if (Value() is { } valuation)
        {
            var signals = new BreakerSignals { DayPnl = valuation.DayPnl, Equity = valuation.Equity, HighWaterMark = valuation.HighWaterMark };
            TradingState current;
            lock (_breakerLock)
            {
                current = _accountBreaker.State;
            }

            // A loop, not Any(lambda): the lambda would capture the state and cost a closure on every fill.
            var conditions = CircuitBreaker.Conditions(Settings.BreakerPolicy, signals, time.GetUtcNow());
            for (var i = 0; i < conditions.Count && !breach; i++)
            {
                breach = conditions[i].Target > current;
            }
        }

        if (breach || pendingError)
        {
            await ReportSignalsAsync(allOutcomes: false);
        }
    }

    /// <summary>
    /// Reports P&amp;L and equity, and the broker outcomes noted since the last report. After a fill
    /// (<paramref name="allOutcomes"/> false) successes wait for the next signal tick, at most a second; a pending error
    /// goes at once, with every outcome noted before it, so the breaker's error rate is exact when it evaluates.
    /// </summary>
    private async Task ReportSignalsAsync(bool allOutcomes = true)
    {
        var breaker = Breaker;
        if (_brokerOutcomes.Count > 0 && (allOutcomes || _brokerOutcomes.Exists(o => o.IsError)))
        {
            var outcomes = _brokerOutcomes.ToArray();
            _brokerOutcomes.Clear();
            await OnBreakerChangedAsync(await breaker.ReportBrokerOutcomesAsync(outcomes));
        }

        if (Value() is not { } valuation)
        {
            await TripOnValuationErrorAsync();
            return;
        }

        Ledger = Ledger.MarkEquity(valuation.Equity);
        var snapshot = await breaker.ReportAccountSignalsAsync(new AccountSignals
        {
            DayPnl = valuation.DayPnl,
            Equity = valuation.Equity,
            HighWaterMark = valuation.HighWaterMark,
            At = time.GetUtcNow(),
        });
        _signalReports++;
        EndSignalOutage();
        await OnBreakerChangedAsync(snapshot);
    }

    /// <summary>
    /// An account whose amounts at its marks cannot be represented (a position marked at an absurd price the market data
    /// accepted) has no P&amp;L or equity for the breaker to judge: it would trade blind, so it fails safe to REDUCING (closing
    /// orders pass; opening ones are denied for want of a valuation) until a reset by someone with the risk role. A missing
    /// mark is not this: the tick fetches it.
    /// </summary>
    private async Task TripOnValuationErrorAsync()
    {
        if (_valuationError is not { } why)
        {
            return;
        }

        TradingState current;
        lock (_breakerLock)
        {
            current = _accountBreaker.State;
        }

        if (current != TradingState.Active)
        {
            return;
        }

        AccountLog.ValuationFailed(logger, AccountId, why);
        var result = await Breaker.TripAsync(TradingState.Reducing, new BreakerActor("valuation", HasRiskRole: false),
            $"Account {AccountId} cannot be valued: {why}");
        await OnBreakerChangedAsync(result.Snapshot);
    }
}
