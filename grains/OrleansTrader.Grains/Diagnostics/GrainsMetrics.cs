using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Diagnostics;

/// <summary>
/// The trading grains' instruments (meter "OrleansTrader.Grains", from the host's <see cref="IMeterFactory"/>): booked fills
/// and their notional, breaker transitions, the activated breakers by trading state, the failed attempts to pump a
/// broker's execution reports to its accounts, the account signal ticks whose P&amp;L could not reach the breaker, and the
/// exceptions strategy kinds threw. Tags are small closed sets
/// (broker, side, currency, scope, state, trigger), never account ids.
/// </summary>
internal sealed class GrainsMetrics
{
    public const string MeterName = "OrleansTrader.Grains";

    private static readonly TradingState[] States = [TradingState.Active, TradingState.Reducing, TradingState.Halted];
    private static readonly string[] Scopes = [BreakerScopes.Account, BreakerScopes.Global];

    private readonly Counter<long> _fills;
    private readonly Counter<double> _filledNotional;
    private readonly Counter<long> _breakerTransitions;
    private readonly Counter<long> _executionReportFailures;
    private readonly Counter<long> _strategyFailures;
    private readonly Counter<long> _breakerSignalFailures;
    private readonly long[] _breakers = new long[Scopes.Length * States.Length];

    public GrainsMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _fills = meter.CreateCounter<long>(
            "orleanstrader.fills", "{fill}",
            "Executions booked by accounts, by broker and side: each execution id once (a redelivered or back-filled execution the account already has is not counted).");
        _filledNotional = meter.CreateCounter<double>(
            "orleanstrader.fills.notional", "{currency}",
            "Quantity times price of the booked executions, in the account's currency, by broker, side and currency.");
        _breakerTransitions = meter.CreateCounter<long>(
            "orleanstrader.breaker.transitions", "{transition}",
            "Breaker transitions persisted, by scope (account or global), from and to trading state, and trigger.");
        _executionReportFailures = meter.CreateCounter<long>(
            "orleanstrader.execution_reports.failures", "{failure}",
            "Failed attempts to carry a broker's execution reports to an account (its report stream failed, or the fills stream did "
            + "not take them), by broker; each is retried with back-off, and meanwhile the account's fills wait.");
        _strategyFailures = meter.CreateCounter<long>(
            "orleanstrader.strategy.failures", "{failure}",
            "Exceptions a strategy kind's code threw (an event handler, its start, warm-up, snapshot or restore), by kind: a strategy "
            + "whose handler threw goes on with its next events; one whose start or restore threw is stopped.");
        _breakerSignalFailures = meter.CreateCounter<long>(
            "orleanstrader.breaker_signals.failures", "{failure}",
            "Account signal ticks whose P&L and equity did not reach the account's breaker (its call failed, or the tick failed "
            + "before it); each tick tries again a second later, and meanwhile the breaker's daily-loss and drawdown triggers cannot trip.");
        meter.CreateObservableUpDownCounter(
            "orleanstrader.breaker.state",
            ObserveBreakers,
            "{breaker}",
            "Breakers activated on this silo by scope (account or global) and current trading state. A breaker counts from its activation "
            + "to its deactivation and moves when a transition is persisted; an idle breaker is collected and leaves the count, so the "
            + "history of trips is orleanstrader.breaker.transitions.");
    }

    /// <summary>An execution the account booked for the first time.</summary>
    public void Filled(string broker, string currency, Execution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var side = new KeyValuePair<string, object?>("side", execution.Side == OrderSide.Buy ? "buy" : "sell");
        var brokerTag = new KeyValuePair<string, object?>("broker", broker);
        _fills.Add(1, brokerTag, side);
        _filledNotional.Add((double)(execution.Quantity * execution.Price), brokerTag, side, new KeyValuePair<string, object?>("currency", currency));
    }

    public void ExecutionReportsFailed(string broker) => _executionReportFailures.Add(1, new KeyValuePair<string, object?>("broker", broker));

    /// <summary>Untagged: the cause is in the log (warning 5011) and its type in readiness's breaker-signals check.</summary>
    public void BreakerSignalsFailed() => _breakerSignalFailures.Add(1);

    /// <summary>Tagged by kind: the kinds are the silo's registered ones, a small closed set.</summary>
    public void StrategyFailed(string kind) => _strategyFailures.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void BreakerActivated(string scope, TradingState state) => Interlocked.Increment(ref _breakers[Index(scope, state)]);

    public void BreakerDeactivated(string scope, TradingState state) => Interlocked.Decrement(ref _breakers[Index(scope, state)]);

    /// <summary>A persisted change of a breaker's state: moves it between the state counts and counts each transition.</summary>
    public void BreakerChanged(string scope, TradingState from, TradingState to, IEnumerable<BreakerTransition> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        if (from != to)
        {
            Interlocked.Decrement(ref _breakers[Index(scope, from)]);
            Interlocked.Increment(ref _breakers[Index(scope, to)]);
        }

        foreach (var transition in transitions)
        {
            _breakerTransitions.Add(1, new TagList
            {
                { "scope", scope },
                { "from", StateName(transition.From) },
                { "to", StateName(transition.To) },
                { "trigger", TriggerName(transition.Trigger) },
            });
        }
    }

    internal static string StateName(TradingState state) => state switch
    {
        TradingState.Active => "active",
        TradingState.Reducing => "reducing",
        TradingState.Halted => "halted",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown trading state."),
    };

    private static string TriggerName(BreakerTrigger trigger) => trigger switch
    {
        BreakerTrigger.DailyLoss => "daily_loss",
        BreakerTrigger.Drawdown => "drawdown",
        BreakerTrigger.BrokerErrorRate => "broker_error_rate",
        BreakerTrigger.StaleMarketData => "stale_market_data",
        BreakerTrigger.Manual => "manual",
        BreakerTrigger.Reset => "reset",
        _ => "other",
    };

    private static int Index(string scope, TradingState state) =>
        (scope == BreakerScopes.Global ? States.Length : 0) + state switch
        {
            TradingState.Active => 0,
            TradingState.Reducing => 1,
            TradingState.Halted => 2,
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown trading state."),
        };

    /// <summary>The breaker-state instrument's callback: one measurement per scope and state, zeros included.</summary>
    internal IEnumerable<Measurement<long>> ObserveBreakers()
    {
        var measurements = new Measurement<long>[_breakers.Length];
        for (var s = 0; s < Scopes.Length; s++)
        {
            for (var t = 0; t < States.Length; t++)
            {
                measurements[(s * States.Length) + t] = new Measurement<long>(
                    Volatile.Read(ref _breakers[(s * States.Length) + t]),
                    new KeyValuePair<string, object?>("scope", Scopes[s]),
                    new KeyValuePair<string, object?>("state", StateName(States[t])));
            }
        }

        return measurements;
    }
}
