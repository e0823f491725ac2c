using OrleansTrader.Domain.Breaker;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// A circuit breaker (key: an account id, or <see cref="BreakerKeys.Global"/> for the kill switch that halts every account).
/// Owns ACTIVE / REDUCING / HALTED, evaluates its triggers, persists every transition before acknowledging it and audits it.
/// </summary>
public interface IBreakerGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<BreakerSnapshot> GetStateAsync();

    /// <summary>A manual trip to a more severe state.</summary>
    Task<BreakerCommandResult> TripAsync(TradingState state, BreakerActor actor, string reason);

    /// <summary>
    /// A reset to a less severe state: ACTIVE, or REDUCING from HALTED. Needs the risk role and a reason; refused while a
    /// trigger whose state is more severe than the target still holds, unless forced.
    /// </summary>
    Task<BreakerCommandResult> ResetAsync(TradingState state, BreakerActor actor, string reason, bool force);

    /// <summary>Transitions, newest first.</summary>
    [ReadOnly]
    Task<IReadOnlyList<BreakerAuditEntry>> GetAuditAsync(int limit);

    /// <summary>
    /// Transitions oldest first, from the first with a version above <paramref name="afterVersion"/>, saying whether
    /// transitions after it were trimmed (the audit keeps the latest 1,000).
    /// </summary>
    [ReadOnly]
    Task<BreakerAuditPage> GetAuditPageAsync(long afterVersion, int limit);

    Task<BreakerPolicy> GetPolicyAsync();

    Task<BreakerCommandResult> SetPolicyAsync(BreakerPolicy policy);

    /// <summary>Account figures (day P&amp;L, equity, high-water mark); evaluated at once.</summary>
    Task<BreakerSnapshot> ReportAccountSignalsAsync(AccountSignals signals);

    /// <summary>Outcomes of broker calls (error or not); the error rate is evaluated over the policy's window.</summary>
    Task<BreakerSnapshot> ReportBrokerOutcomesAsync(IReadOnlyList<BrokerOutcome> outcomes);

    /// <summary>The time of the newest market data seen; staleness is evaluated now and on the breaker's timer.</summary>
    Task<BreakerSnapshot> ReportMarketDataAsync(DateTimeOffset lastMarketDataAt);

    /// <summary>Evaluates time-based triggers (stale data, error window) now; the grain also does this on its timer.</summary>
    Task<BreakerSnapshot> EvaluateAsync();

    /// <summary>Registers an account to be told of every transition of this breaker (the global breaker's listeners).</summary>
    Task<BreakerSnapshot> RegisterListenerAsync(string accountId);
}
