using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// Readiness: degraded while an account's P&amp;L and equity cannot reach its breaker (the breaker's call failing, or the
/// tick failing before it: a mark, the day's roll). Its daily-loss and drawdown triggers cannot trip meanwhile; before,
/// only warning 5011 said so (its repeats at Debug) and readiness stayed healthy. The accounts are counted, not named:
/// readiness answers anyone.
/// </summary>
internal sealed class BreakerSignalsHealthCheck(BreakerSignalOutages outages) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var current = outages.Current;
        if (current.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Breaker signals reach their breakers."));
        }

        var oldest = current[0];
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["accounts"] = current.Count,
            ["since"] = oldest.Since,
        };
        return Task.FromResult(HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
            $"Breaker signals of {current.Count} account(s) cannot reach their breaker since {oldest.Since:O} ({oldest.Failures} failed ticks; last error {oldest.Error}, logged as event 5011): their daily-loss and drawdown triggers cannot trip until the signals go through again."),
            data: data));
    }
}
