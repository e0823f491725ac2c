using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>
/// Calls Alpaca (GET /v2/account) through the same pipelines as trading: healthy only when the key works and the
/// account is active and may trade. Never reports healthy without asking the venue.
/// </summary>
public sealed class AlpacaHealthCheck(AlpacaTradingClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var account = await client.GetAccountAsync(cancellationToken);
            if (!string.Equals(account.Status, "ACTIVE", StringComparison.Ordinal))
            {
                return HealthCheckResult.Unhealthy($"The Alpaca account status is {account.Status}.");
            }

            return account.TradingBlocked
                ? HealthCheckResult.Degraded("The Alpaca account is active but trading is blocked.")
                : HealthCheckResult.Healthy("The Alpaca account is active.");
        }
        catch (BrokerException ex)
        {
            return HealthCheckResult.Unhealthy($"Alpaca is not usable: {ex.Kind}.", ex);
        }
    }
}
