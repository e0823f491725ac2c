using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace OrleansTrader.Domain.Breaker;

/// <summary>
/// The breaker state machine. Automatic evaluation only escalates (ACTIVE -> REDUCING -> HALTED), never relaxes:
/// getting back to a less severe state always takes a reset. Rules:
/// <list type="bullet">
/// <item>A manual trip may be made by any actor (a kill switch must be easy to pull) and needs a reason; it must raise severity.</item>
/// <item>A reset needs the risk role and a non-empty reason, must lower severity, and is refused while a trigger
/// condition that demands a state above the target still holds, unless forced; a forced reset records the
/// overridden conditions' values, and evaluation does not trip on those triggers again until their condition clears.</item>
/// <item>Every transition yields an immutable <see cref="BreakerTransition"/> for the audit log.</item>
/// </list>
/// </summary>
public static class CircuitBreaker
{
    public static IReadOnlyList<BreakerCondition> Conditions(BreakerPolicy policy, BreakerSignals signals, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(signals);
        // Evaluated on every signal and usually empty: the list is made only for a condition that holds.
        List<BreakerCondition>? conditions = null;
        if (signals.DayPnl is { } dayPnl && dayPnl <= -policy.DailyLossLimit)
        {
            (conditions ??= []).Add(new BreakerCondition(BreakerTrigger.DailyLoss, TradingState.Reducing,
                $"Day P&L {Money.Text(dayPnl)} is at or below {Money.Text(-policy.DailyLossLimit)}.",
                Values(("dayPnl", dayPnl), ("dailyLossLimit", policy.DailyLossLimit))));
        }

        if (signals is { Equity: { } equity, HighWaterMark: { } hwm } && hwm > 0m)
        {
            decimal drawdown;
            try
            {
                drawdown = Math.Max(0m, (hwm - equity) / hwm * 100m);
            }
            catch (OverflowException)
            {
                // A loss so far beyond a tiny high-water mark that its percentage is beyond a decimal: it holds all the same.
                drawdown = decimal.MaxValue;
            }

            if (drawdown >= policy.MaxDrawdownPercent)
            {
                (conditions ??= []).Add(new BreakerCondition(BreakerTrigger.Drawdown, TradingState.Halted,
                    $"Drawdown {drawdown:0.####}% from the high-water mark {hwm} reaches {policy.MaxDrawdownPercent}%.",
                    Values(("equity", equity), ("highWaterMark", hwm), ("drawdownPercent", drawdown), ("maxDrawdownPercent", policy.MaxDrawdownPercent))));
            }
        }

        var since = now - policy.ErrorWindow;
        var (samples, errors) = CountOutcomes(signals.BrokerOutcomes, since, now);

        if (samples >= policy.MinErrorSamples)
        {
            var rate = (decimal)errors / samples;
            if (rate >= policy.MaxBrokerErrorRate)
            {
                (conditions ??= []).Add(new BreakerCondition(BreakerTrigger.BrokerErrorRate, TradingState.Halted,
                    $"{errors} of {samples} broker calls failed in the window (rate {rate:0.####}, max {policy.MaxBrokerErrorRate}).",
                    Values(("errors", errors), ("samples", samples), ("errorRate", rate), ("maxErrorRate", policy.MaxBrokerErrorRate))));
            }
        }

        if (signals.LastMarketDataAt is { } last && now - last > policy.StaleDataMaxAge)
        {
            var age = TimeMath.Seconds(now - last);
            (conditions ??= []).Add(new BreakerCondition(BreakerTrigger.StaleMarketData, TradingState.Reducing,
                $"Market data is {age} s old (max {TimeMath.Seconds(policy.StaleDataMaxAge)} s).",
                Values(("ageSeconds", age), ("maxAgeSeconds", TimeMath.Seconds(policy.StaleDataMaxAge)))));
        }

        return conditions ?? (IReadOnlyList<BreakerCondition>)[];
    }

    public static Result<BreakerEvaluation> Evaluate(BreakerStatus current, BreakerPolicy policy, BreakerSignals signals, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(policy);
        var policyErrors = policy.Validate();
        if (policyErrors.Count > 0)
        {
            return Result.Fail<BreakerEvaluation>(policyErrors[0]);
        }

        var conditions = Conditions(policy, signals, now);

        // An override lasts while its condition holds; one that cleared is dropped, so that trigger is armed again.
        var overridden = current.Overridden;
        if (overridden.Count > 0)
        {
            overridden = [.. overridden.Where(t => conditions.Any(c => c.Trigger == t))];
            if (overridden.Count != current.Overridden.Count)
            {
                current = current with { Overridden = overridden };
            }
        }

        // The most severe condition not overridden, the first of equals (as a stable sort would give), without sorting.
        BreakerCondition? worst = null;
        for (var i = 0; i < conditions.Count; i++)
        {
            if ((worst is null || conditions[i].Target > worst.Target) && !overridden.Contains(conditions[i].Trigger))
            {
                worst = conditions[i];
            }
        }

        if (worst is null || worst.Target <= current.State)
        {
            return Result.Ok(new BreakerEvaluation(current, [], conditions));
        }

        var transition = new BreakerTransition
        {
            From = current.State,
            To = worst.Target,
            Trigger = worst.Trigger,
            Actor = BreakerActor.System.Name,
            Reason = worst.Message,
            Timestamp = now,
            Values = worst.Values,
        };
        return Result.Ok(new BreakerEvaluation(new BreakerStatus(worst.Target, now, worst.Trigger) { Overridden = overridden }, [transition], conditions));
    }

    public static Result<BreakerEvaluation> Trip(BreakerStatus current, TradingState target, BreakerActor actor, string reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(actor);
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Result.Fail<BreakerEvaluation>(BreakerErrorCodes.ReasonRequired, "A manual trip needs a reason.");
        }

        if (target <= current.State)
        {
            return Result.Fail<BreakerEvaluation>(BreakerErrorCodes.NotMoreSevere, $"A trip from {current.State} must go to a more severe state than {target}.");
        }

        var transition = new BreakerTransition
        {
            From = current.State,
            To = target,
            Trigger = BreakerTrigger.Manual,
            Actor = actor.Name,
            Reason = reason.Trim(),
            Timestamp = now,
        };
        return Result.Ok(new BreakerEvaluation(new BreakerStatus(target, now, BreakerTrigger.Manual) { Overridden = current.Overridden }, [transition], []));
    }

    public static Result<BreakerEvaluation> Reset(BreakerStatus current, TradingState target, BreakerPolicy policy, BreakerSignals signals,
        BreakerActor actor, string reason, bool force, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.HasRiskRole)
        {
            return Result.Fail<BreakerEvaluation>(BreakerErrorCodes.RiskRoleRequired, $"{actor.Name} lacks the risk role needed to reset.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return Result.Fail<BreakerEvaluation>(BreakerErrorCodes.ReasonRequired, "A reset needs a reason.");
        }

        if (target >= current.State)
        {
            return Result.Fail<BreakerEvaluation>(BreakerErrorCodes.NotLessSevere, $"A reset from {current.State} must go to a less severe state than {target}.");
        }

        var conditions = Conditions(policy, signals, now);
        var holding = conditions.Where(c => c.Target > target).ToList();
        if (holding.Count > 0 && !force)
        {
            return Result.Fail<BreakerEvaluation>(BreakerErrorCodes.ConditionStillHolds,
                "Trigger conditions still hold: " + string.Join(" ", holding.Select(c => c.Message)));
        }

        var values = ImmutableSortedDictionary.CreateBuilder<string, decimal>(StringComparer.Ordinal);
        foreach (var condition in holding)
        {
            foreach (var (key, value) in condition.Values)
            {
                values[$"{condition.Trigger}.{key}"] = value;
            }
        }

        var transition = new BreakerTransition
        {
            From = current.State,
            To = target,
            Trigger = BreakerTrigger.Reset,
            Actor = actor.Name,
            Reason = reason.Trim(),
            Timestamp = now,
            Values = values.ToImmutable(),
            Forced = holding.Count > 0,
        };
        // The conditions overridden stay overridden until they clear (see BreakerStatus.Overridden). An older override
        // whose condition no longer holds has cleared, though no evaluation may have seen it (yesterday's loss): it is
        // armed again, not carried over.
        var overridden = holding.Select(c => c.Trigger)
            .Union(current.Overridden.Where(t => conditions.Any(c => c.Trigger == t))).ToList();
        return Result.Ok(new BreakerEvaluation(new BreakerStatus(target, now, BreakerTrigger.Reset) { Overridden = overridden }, [transition], holding));
    }

    private static ImmutableSortedDictionary<string, decimal> Values(params (string Key, decimal Value)[] values) =>
        values.ToImmutableSortedDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    /// <summary>
    /// Samples and errors in (since, now], in one pass without a copy: the window can hold thousands of outcomes and this
    /// runs on every signal. A list or array is read as a span (no boxed enumerator, no interface call per outcome).
    /// </summary>
    private static (int Samples, int Errors) CountOutcomes(IReadOnlyList<BrokerOutcome> outcomes, DateTimeOffset since, DateTimeOffset now)
    {
        var span = outcomes switch
        {
            List<BrokerOutcome> list => CollectionsMarshal.AsSpan(list),
            BrokerOutcome[] array => array,
            _ => default,
        };
        var samples = 0;
        var errors = 0;
        if (span.Length == outcomes.Count)
        {
            foreach (var outcome in span)
            {
                Count(outcome, since, now, ref samples, ref errors);
            }
        }
        else
        {
            for (var i = 0; i < outcomes.Count; i++)
            {
                Count(outcomes[i], since, now, ref samples, ref errors);
            }
        }

        return (samples, errors);
    }

    private static void Count(BrokerOutcome outcome, DateTimeOffset since, DateTimeOffset now, ref int samples, ref int errors)
    {
        if (outcome.At > since && outcome.At <= now)
        {
            samples += outcome.Count;
            errors += outcome.IsError ? outcome.Count : 0;
        }
    }
}
