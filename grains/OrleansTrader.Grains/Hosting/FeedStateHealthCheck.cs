using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansTrader.MarketData;
using OrleansTrader.MarketData.Events;

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// Readiness from the feed's own view of itself: degraded while it reports an error from the source (Alpaca 405 symbol limit,
/// 406 connection limit, 407 slow client, ...) or is not connected, with the code and message; healthy when connected.
/// </summary>
internal sealed class FeedStateHealthCheck(IMarketDataFeed feed) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = feed.GetHealth();
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["state"] = health.State.ToString(),
            ["events"] = health.EventsDelivered,
            ["reconnects"] = health.Reconnects,
            ["rejected"] = health.TotalRejected,
        };
        if (health.LastErrorCode is { } code)
        {
            data["lastErrorCode"] = code;
        }

        var result = health.State switch
        {
            FeedState.Connected or FeedState.Completed => HealthCheckResult.Healthy($"Feed {health.FeedName} is {health.State}.", data),
            FeedState.Degraded => HealthCheckResult.Degraded(
                $"Feed {health.FeedName} is degraded since {health.StateSince:O}: {health.LastErrorCode} {health.LastErrorMessage}".TrimEnd(), data: data),
            _ => HealthCheckResult.Degraded($"Feed {health.FeedName} is {health.State} since {health.StateSince:O}.", data: data),
        };
        return Task.FromResult(result);
    }
}
