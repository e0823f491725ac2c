using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansTrader.Grains.Brokers;

/// <summary>
/// Readiness: degraded while an account's execution reports cannot reach it (its broker's report stream fails, or the
/// durable fills stream does not take them). Its fills wait meanwhile, so its positions and cash lag the broker's until
/// the stream works again and reconciliation back-fills the gap; before, only a warning said so and readiness stayed
/// healthy. The accounts are counted, not named: readiness answers anyone.
/// </summary>
internal sealed class ExecutionReportHealthCheck(ExecutionReportPump pump) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var outages = pump.Outages;
        if (outages.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Execution reports reach their accounts."));
        }

        var oldest = outages[0];
        var brokers = string.Join(", ", outages.Select(o => o.Broker).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["accounts"] = outages.Count,
            ["brokers"] = brokers,
            ["since"] = oldest.Since,
        };
        return Task.FromResult(HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
            $"Execution reports of {outages.Count} account(s) at {brokers} cannot reach them since {oldest.Since:O} ({oldest.Failures} failed attempts; last error {oldest.Error}, logged as event 5101): their fills are not booked until the stream works again and reconciliation back-fills them."),
            data: data));
    }
}
