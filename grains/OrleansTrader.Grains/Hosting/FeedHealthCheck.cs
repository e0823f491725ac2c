using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansTrader.Grains.Hosting;

/// <summary>Readiness: the market data feed delivered something recently (a grace period covers the start).</summary>
internal sealed class FeedHealthCheck(MarketFeedPump pump, TimeProvider time, TimeSpan staleAfter) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (pump.LastReceivedAt is not { } last)
        {
            return Task.FromResult(now - pump.StartedAt <= staleAfter
                ? HealthCheckResult.Healthy($"Feed {pump.FeedName} is starting.")
                : HealthCheckResult.Unhealthy($"Feed {pump.FeedName} has delivered nothing since {pump.StartedAt:O}."));
        }

        var age = now - last;
        return Task.FromResult(age <= staleAfter
            ? HealthCheckResult.Healthy($"Feed {pump.FeedName}: last data {age.TotalSeconds:0.#} s ago, {pump.EventsDelivered} events.")
            : HealthCheckResult.Unhealthy($"Feed {pump.FeedName} is stale: last data {age.TotalSeconds:0.#} s ago."));
    }
}
