using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansTrader.Silo.Health;

/// <summary>Ready only between "host started" and "host stopping", so a load balancer drains us on shutdown.</summary>
internal sealed class HostLifetimeHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The silo is shutting down."));
        }

        return Task.FromResult(lifetime.ApplicationStarted.IsCancellationRequested
            ? HealthCheckResult.Healthy("The silo host is running.")
            : HealthCheckResult.Unhealthy("The silo host has not finished starting."));
    }
}
