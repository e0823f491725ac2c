using System.Collections.Concurrent;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// The accounts active on this silo whose P&amp;L and equity cannot reach their breaker now: each from the first signal tick
/// that could not report them until one does, or until the account deactivates (its ticks stop, as for any idle account).
/// Meanwhile their breaker's daily-loss and drawdown triggers cannot trip. <see cref="BreakerSignalsHealthCheck"/> reports
/// them; the active accounts bound the set.
/// </summary>
internal sealed class BreakerSignalOutages
{
    private readonly ConcurrentDictionary<string, BreakerSignalOutage> _outages = new(StringComparer.Ordinal);

    /// <summary>The outages now, oldest first.</summary>
    public IReadOnlyList<BreakerSignalOutage> Current => [.. _outages.Values.OrderBy(o => o.Since)];

    /// <summary>Only the account's own grain writes its entry, one turn at a time.</summary>
    public void Set(string accountId, BreakerSignalOutage outage) => _outages[accountId] = outage;

    public void End(string accountId) => _outages.TryRemove(accountId, out _);

    /// <summary>
    /// An account's signals not reported since <paramref name="Since"/>, <paramref name="Failures"/> ticks in a row;
    /// <paramref name="Error"/> is the last failure's exception type (its message stays in the log: readiness answers anyone).
    /// </summary>
    internal sealed record BreakerSignalOutage(DateTimeOffset Since, int Failures, string Error);
}
