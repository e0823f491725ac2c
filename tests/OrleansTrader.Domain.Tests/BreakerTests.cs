using System.Collections.Immutable;
using OrleansTrader.Domain.Breaker;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

public sealed class BreakerTests
{
    private static readonly BreakerPolicy Policy = BreakerPolicy.Default;
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);
    private static readonly BreakerActor Trader = new("trader", HasRiskRole: false);
    private static readonly BreakerSignals Calm = new() { DayPnl = 0m, Equity = 100_000m, HighWaterMark = 100_000m, LastMarketDataAt = T0 };

    private static BreakerEvaluation Evaluate(BreakerStatus status, BreakerSignals signals) =>
        CircuitBreaker.Evaluate(status, Policy, signals, T0).GetValueOrThrow();

    [Fact]
    public void Evaluate_NoCondition_NoTransition()
    {
        var result = Evaluate(BreakerStatus.Active, Calm);

        Assert.Equal(TradingState.Active, result.Status.State);
        Assert.Empty(result.Transitions);
        Assert.Empty(result.Conditions);
    }

    [Fact]
    public void Evaluate_DailyLoss_TripsToReducing_WithAuditValues()
    {
        var result = Evaluate(BreakerStatus.Active, Calm with { DayPnl = -5_000m });

        // Reducing, not halted: after a bad day the account may still close what it holds.
        var transition = Assert.Single(result.Transitions);
        Assert.Equal(TradingState.Reducing, result.Status.State);
        Assert.Equal(TradingState.Active, transition.From);
        Assert.Equal(TradingState.Reducing, transition.To);
        Assert.Equal(BreakerTrigger.DailyLoss, transition.Trigger);
        Assert.Equal("system", transition.Actor);
        Assert.Equal(T0, transition.Timestamp);
        Assert.Equal(-5_000m, transition.Values["dayPnl"]);
        Assert.Equal(5_000m, transition.Values["dailyLossLimit"]);
        Assert.Contains("-5000", transition.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ConditionsOfEqualSeverity_TripOnTheFirst_ByTheConditionsOrder()
    {
        // Daily loss and stale data both demand REDUCING, drawdown and the error rate both HALTED: the audit names the first.
        var errors = Enumerable.Range(0, 10).Select(i => new BrokerOutcome(T0.AddSeconds(-i), IsError: true)).ToList();
        var reducing = Evaluate(BreakerStatus.Active, Calm with { DayPnl = -5_000m, LastMarketDataAt = T0.AddSeconds(-61) });
        var halted = Evaluate(BreakerStatus.Active, Calm with { Equity = 90_000m, BrokerOutcomes = errors });

        Assert.Equal(2, reducing.Conditions.Count);
        Assert.Equal(BreakerTrigger.DailyLoss, Assert.Single(reducing.Transitions).Trigger);
        Assert.Equal(2, halted.Conditions.Count);
        Assert.Equal(BreakerTrigger.Drawdown, Assert.Single(halted.Transitions).Trigger);
    }

    [Fact]
    public void Evaluate_Drawdown_TripsToHalted()
    {
        var result = Evaluate(BreakerStatus.Active, Calm with { Equity = 90_000m, HighWaterMark = 100_000m });
        var below = Evaluate(BreakerStatus.Active, Calm with { Equity = 90_001m, HighWaterMark = 100_000m });

        Assert.Equal(BreakerTrigger.Drawdown, Assert.Single(result.Transitions).Trigger);
        Assert.Equal(10m, result.Transitions[0].Values["drawdownPercent"]);
        Assert.Empty(below.Transitions);
    }

    [Fact]
    public void Conditions_CountTheErrorWindowAlike_WhateverListHoldsTheOutcomes()
    {
        // Twelve in the window (eight errors), one expired and one from the future: neither of the last two counts.
        var outcomes = Enumerable.Range(0, 12).Select(i => new BrokerOutcome(T0.AddSeconds(-i), IsError: i % 3 != 0))
            .Append(new BrokerOutcome(T0.AddMinutes(-6), IsError: true))
            .Append(new BrokerOutcome(T0.AddSeconds(5), IsError: true))
            .ToList();
        IReadOnlyList<BrokerOutcome>[] shapes = [outcomes, outcomes.ToArray(), outcomes.AsReadOnly(), ImmutableList.CreateRange(outcomes)];

        foreach (var shape in shapes)
        {
            var condition = Assert.Single(CircuitBreaker.Conditions(Policy, Calm with { BrokerOutcomes = shape }, T0));
            Assert.Equal(BreakerTrigger.BrokerErrorRate, condition.Trigger);
            Assert.Equal(12m, condition.Values["samples"]);
            Assert.Equal(8m, condition.Values["errors"]);
        }
    }

    [Fact]
    public void OutcomeWindow_KeepsAboutTwoEntriesASecond_AndCountsEveryCall()
    {
        var window = new List<BrokerOutcome>();
        for (var i = 0; i < 3_000; i++)
        {
            BrokerOutcomeWindow.Add(window, new BrokerOutcome(T0.AddSeconds(-3).AddMilliseconds(i), IsError: i % 3 == 0));
        }

        Assert.Equal(6, window.Count);
        Assert.Equal(3_000, window.Sum(o => o.Count));
        Assert.Equal(1_000, window.Where(o => o.IsError).Sum(o => o.Count));
        var condition = Assert.Single(CircuitBreaker.Conditions(Policy with { MaxBrokerErrorRate = 0.3m }, Calm with { BrokerOutcomes = window }, T0));
        Assert.Equal(3_000m, condition.Values["samples"]);
        Assert.Equal(1_000m, condition.Values["errors"]);
    }

    [Fact]
    public void OutcomeWindow_GivesAnOutOfOrderCallAnEntry_ThatStillCountsByItsTime()
    {
        var window = new List<BrokerOutcome>();
        BrokerOutcomeWindow.Add(window, new BrokerOutcome(T0.AddSeconds(-10), IsError: true));
        BrokerOutcomeWindow.Add(window, new BrokerOutcome(T0.AddSeconds(-20), IsError: true));
        BrokerOutcomeWindow.Add(window, new BrokerOutcome(T0.AddMinutes(-6), IsError: true, Count: 5));

        Assert.Equal(3, window.Count);
        Assert.Empty(CircuitBreaker.Conditions(Policy with { MinErrorSamples = 3 }, Calm with { BrokerOutcomes = window }, T0));
        Assert.Single(CircuitBreaker.Conditions(Policy with { MinErrorSamples = 2 }, Calm with { BrokerOutcomes = window }, T0));
    }

    [Fact]
    public void Evaluate_BrokerErrorRate_NeedsMinimumSamplesInWindow()
    {
        var nineErrors = Enumerable.Range(0, 9).Select(i => new BrokerOutcome(T0.AddSeconds(-i), IsError: true)).ToList();
        var tenHalfErrors = Enumerable.Range(0, 10).Select(i => new BrokerOutcome(T0.AddSeconds(-i), IsError: i % 2 == 0)).ToList();
        var outsideWindow = Enumerable.Range(0, 10).Select(i => new BrokerOutcome(T0.AddMinutes(-6), IsError: true)).ToList();

        Assert.Empty(Evaluate(BreakerStatus.Active, Calm with { BrokerOutcomes = nineErrors }).Transitions);
        Assert.Empty(Evaluate(BreakerStatus.Active, Calm with { BrokerOutcomes = outsideWindow }).Transitions);
        var tripped = Evaluate(BreakerStatus.Active, Calm with { BrokerOutcomes = tenHalfErrors });
        Assert.Equal(BreakerTrigger.BrokerErrorRate, Assert.Single(tripped.Transitions).Trigger);
        Assert.Equal(0.5m, tripped.Transitions[0].Values["errorRate"]);
        Assert.Equal(10m, tripped.Transitions[0].Values["samples"]);
    }

    [Fact]
    public void Conditions_LeaveACallExactlyOneErrorWindowBack_OutOfTheWindow()
    {
        // The window is (now - ErrorWindow, now]: a call exactly one window back has left it (as the grain prunes it).
        var errors = Enumerable.Range(0, 9).Select(i => new BrokerOutcome(T0.AddSeconds(-i), IsError: true)).ToList();

        Assert.Empty(CircuitBreaker.Conditions(Policy, Calm with { BrokerOutcomes = [.. errors, new BrokerOutcome(T0 - Policy.ErrorWindow, IsError: true)] }, T0));
        var condition = Assert.Single(CircuitBreaker.Conditions(Policy, Calm with { BrokerOutcomes = [.. errors, new BrokerOutcome(T0.AddSeconds(-299), IsError: true)] }, T0));
        Assert.Equal(10m, condition.Values["samples"]);
    }

    [Fact]
    public void Evaluate_StaleData_TripsToReducing_ThenDrawdownEscalatesToHalted()
    {
        var stale = Evaluate(BreakerStatus.Active, Calm with { LastMarketDataAt = T0.AddSeconds(-61) });
        var escalated = Evaluate(stale.Status, Calm with { LastMarketDataAt = T0.AddSeconds(-61), Equity = 90_000m, HighWaterMark = 100_000m });
        var again = Evaluate(stale.Status, Calm with { LastMarketDataAt = T0.AddSeconds(-61) });

        Assert.Equal(TradingState.Reducing, stale.Status.State);
        Assert.Equal(BreakerTrigger.StaleMarketData, stale.Transitions[0].Trigger);
        Assert.Equal(61m, stale.Transitions[0].Values["ageSeconds"]);
        Assert.Equal(TradingState.Halted, escalated.Status.State);
        Assert.Equal(TradingState.Reducing, escalated.Transitions[0].From);
        Assert.Empty(again.Transitions);
    }

    [Fact]
    public void Evaluate_NeverRelaxesOnItsOwn()
    {
        var halted = new BreakerStatus(TradingState.Halted, T0, BreakerTrigger.DailyLoss);

        var result = Evaluate(halted, Calm);

        Assert.Equal(TradingState.Halted, result.Status.State);
        Assert.Empty(result.Transitions);
    }

    [Fact]
    public void Trip_Manual_ByAnyActorWithReason()
    {
        var result = CircuitBreaker.Trip(BreakerStatus.Active, TradingState.Halted, Trader, "  fat finger  ", T0).GetValueOrThrow();

        var transition = Assert.Single(result.Transitions);
        Assert.Equal(BreakerTrigger.Manual, transition.Trigger);
        Assert.Equal("trader", transition.Actor);
        Assert.Equal("fat finger", transition.Reason);
        Assert.Equal(TradingState.Halted, result.Status.State);
    }

    [Fact]
    public void Trip_RefusesEmptyReasonAndNonEscalation()
    {
        Assert.Equal(BreakerErrorCodes.ReasonRequired, CircuitBreaker.Trip(BreakerStatus.Active, TradingState.Halted, Trader, " ", T0).Error?.Code);
        Assert.Equal(BreakerErrorCodes.NotMoreSevere,
            CircuitBreaker.Trip(new BreakerStatus(TradingState.Halted), TradingState.Reducing, Trader, "x", T0).Error?.Code);
    }

    [Fact]
    public void Reset_RequiresRiskRoleAndReason()
    {
        var halted = new BreakerStatus(TradingState.Halted);

        Assert.Equal(BreakerErrorCodes.RiskRoleRequired,
            CircuitBreaker.Reset(halted, TradingState.Active, Policy, Calm, Trader, "ok", force: false, T0).Error?.Code);
        Assert.Equal(BreakerErrorCodes.ReasonRequired,
            CircuitBreaker.Reset(halted, TradingState.Active, Policy, Calm, RiskOfficer, "", force: false, T0).Error?.Code);
        Assert.Equal(BreakerErrorCodes.NotLessSevere,
            CircuitBreaker.Reset(BreakerStatus.Active, TradingState.Active, Policy, Calm, RiskOfficer, "ok", force: false, T0).Error?.Code);
    }

    [Fact]
    public void Reset_RefusedWhileConditionHolds_UnlessForced()
    {
        var halted = new BreakerStatus(TradingState.Halted);
        var losing = Calm with { DayPnl = -7_000m };

        var refused = CircuitBreaker.Reset(halted, TradingState.Active, Policy, losing, RiskOfficer, "checked", force: false, T0);
        var forced = CircuitBreaker.Reset(halted, TradingState.Active, Policy, losing, RiskOfficer, "checked", force: true, T0).GetValueOrThrow();

        Assert.Equal(BreakerErrorCodes.ConditionStillHolds, refused.Error?.Code);
        var transition = Assert.Single(forced.Transitions);
        Assert.True(transition.Forced);
        Assert.Equal(BreakerTrigger.Reset, transition.Trigger);
        Assert.Equal("risk-officer", transition.Actor);
        Assert.Equal(-7_000m, transition.Values["DailyLoss.dayPnl"]);
        Assert.Equal(TradingState.Active, forced.Status.State);
    }

    // docs/domain.md: an override only keeps evaluation from tripping on it again; a reset is refused while any condition
    // above its target holds, so after a manual halt a reset past a condition overridden before needs force again, and
    // records its values again.
    [Fact]
    public void Reset_AfterAManualHalt_IsRefusedForAnOverriddenConditionThatStillHolds_UnlessForcedAgain()
    {
        var losing = Calm with { DayPnl = -7_000m };
        var overridden = CircuitBreaker.Reset(new BreakerStatus(TradingState.Reducing), TradingState.Active, Policy, losing, RiskOfficer,
            "loss reviewed", force: true, T0).GetValueOrThrow().Status;
        var halted = CircuitBreaker.Trip(overridden, TradingState.Halted, Trader, "fat finger", T0).GetValueOrThrow().Status;

        var refused = CircuitBreaker.Reset(halted, TradingState.Active, Policy, losing, RiskOfficer, "checked", force: false, T0);
        var forced = CircuitBreaker.Reset(halted, TradingState.Active, Policy, losing, RiskOfficer, "checked", force: true, T0).GetValueOrThrow();

        Assert.Equal([BreakerTrigger.DailyLoss], halted.Overridden);
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds, refused.Error?.Code);
        Assert.True(Assert.Single(forced.Transitions).Forced);
        Assert.Equal(-7_000m, forced.Transitions[0].Values["DailyLoss.dayPnl"]);
        Assert.Empty(Evaluate(forced.Status, losing).Transitions);
    }

    [Fact]
    public void Reset_ToReducing_AllowedWhileOnlyStaleDataHolds()
    {
        var halted = new BreakerStatus(TradingState.Halted);
        var stale = Calm with { LastMarketDataAt = T0.AddMinutes(-5) };

        var toReducing = CircuitBreaker.Reset(halted, TradingState.Reducing, Policy, stale, RiskOfficer, "data feed restarting", force: false, T0);
        var toActive = CircuitBreaker.Reset(halted, TradingState.Active, Policy, stale, RiskOfficer, "data feed restarting", force: false, T0);

        Assert.True(toReducing.IsSuccess);
        Assert.False(toReducing.Value!.Transitions[0].Forced);
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds, toActive.Error?.Code);
    }

    [Fact]
    public void Policy_Validate_RejectsNonsense()
    {
        var policy = Policy with { DailyLossLimit = 0m, MaxBrokerErrorRate = 2m };

        Assert.Empty(BreakerPolicy.Default.Validate());
        Assert.Equal(2, policy.Validate().Count);
        Assert.Equal(BreakerErrorCodes.PolicyInvalid, CircuitBreaker.Evaluate(BreakerStatus.Active, policy, Calm, T0).Error?.Code);
    }
}
