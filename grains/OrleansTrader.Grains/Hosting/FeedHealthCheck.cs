using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansTrader.Domain.Calendar;

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// Readiness: the market data feed delivered something recently (a grace period covers the start). Judged by the trading
/// calendar and the feed's hours as the breaker's stale-data trigger is: a live feed is silent while the market is closed
/// (and IEX outside 08:00-17:00), so silence then is not a fault (failing readiness would take the silo, and its API, out
/// of the load balancer every night and weekend), and once the feed's hours begin the silence counts from then.
/// </summary>
internal sealed class FeedHealthCheck(MarketFeedPump pump, TimeProvider time, TimeSpan staleAfter, ITradingCalendar calendar, FeedHours hours) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // A replay that reached its end is done, not stale: judged by its age, readiness failed for good StaleAfterSeconds
        // after the last row, and the silo's API left the load balancer although it serves as before.
        if (pump.ReplayEnded)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"Feed {pump.FeedName}: the replay ended after {pump.EventsDelivered} events."));
        }

        // A replay stopped at a file it cannot read delivers nothing more: degraded with the reason, as the feed's own health
        // says, whatever the calendar (judged as a silent feed, it answered "starting" or "outside its hours", never why).
        if (pump.ReplayStoppedBecause is { } reason)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"Feed {pump.FeedName} stopped after {pump.EventsDelivered} events: a file cannot be replayed. {reason}"));
        }

        var now = time.GetUtcNow();
        var last = pump.LastReceivedAt;
        if (MarketDataFreshness.JudgedFrom(calendar, hours, last ?? pump.StartedAt, now) is not { } judgedFrom)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"Feed {pump.FeedName}: outside its hours (the market is closed), {pump.EventsDelivered} events."));
        }

        if (last is null)
        {
            return Task.FromResult(now - judgedFrom <= staleAfter
                ? HealthCheckResult.Healthy($"Feed {pump.FeedName} is starting.")
                : HealthCheckResult.Unhealthy($"Feed {pump.FeedName} has delivered nothing since {judgedFrom:O}."));
        }

        var age = now - last.Value;
        return Task.FromResult(now - judgedFrom <= staleAfter
            ? HealthCheckResult.Healthy($"Feed {pump.FeedName}: last data {age.TotalSeconds:0.#} s ago, {pump.EventsDelivered} events.")
            : HealthCheckResult.Unhealthy($"Feed {pump.FeedName} is stale: last data {age.TotalSeconds:0.#} s ago."));
    }
}
