using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansTrader.Gateway.Diagnostics;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Apis;

/// <summary>GET /api/accounts/{accountId}/events: the account's order updates, fills and breaker changes as Server-Sent Events.</summary>
public static class EventsApi
{
    public const string LastEventIdHeader = "Last-Event-ID";

    /// <summary>The reason of the 429 for a key that already holds Gateway:Events:MaxStreamsPerKey open streams.</summary>
    public const string StreamLimitReason = "EVENT_STREAM_LIMIT";

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/accounts/{accountId}").WithTags("Events").AddEndpointFilter<RouteValuesFilter>()
            .MapGet("/events", Subscribe).RequireAuthorization(GatewayPolicies.AccountRead)
            .ExemptFromLoadShedding()
            .WithName("GetAccountEvents")
            .WithSummary("Server-Sent Events (id = account event sequence); resume with the Last-Event-ID header or ?lastEventId=.");
        return endpoints;
    }

    internal static async Task<Results<EventStreamResult, ValidationProblem, ProblemHttpResult>> Subscribe(
        string accountId,
        HttpContext http,
        IGrainFactory grains,
        IOptions<GatewayOptions> options,
        TimeProvider time,
        GatewayMetrics metrics,
        ILoggerFactory loggers,
        string? lastEventId)
    {
        var header = http.Request.Headers[LastEventIdHeader];
        var resume = header.Count > 0 ? header[0] : lastEventId;
        long after = 0;
        if (resume is not null && (!long.TryParse(resume, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 0))
        {
            return ApiProblems.Invalid("lastEventId", "Must be a non-negative event sequence.");
        }

        var account = grains.GetGrain<IAccountGrain>(accountId);
        if (await account.GetRiskLimitsAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        // A slot per open stream, held until the response ends (the stream's loop has returned by then).
        var keyId = http.User.KeyId();
        if (keyId is not null)
        {
            if (http.RequestServices.GetRequiredService<EventStreamSlots>().TryAcquire(keyId) is not { } slot)
            {
                // Try again when a stream whose client has gone is noticed: by its next write at the latest, and one is
                // written at least every heartbeat interval.
                var retryAfter = Math.Max(1, (int)Math.Ceiling(options.Value.Events.HeartbeatInterval.TotalSeconds));
                return ApiProblems.LimitReached(http, "event-streams", retryAfter, "Too many open event streams.",
                    $"This key holds the most event streams it may have open ({options.Value.Events.MaxStreamsPerKey}); close one first.",
                    StreamLimitReason);
            }

            http.Response.RegisterForDispose(slot);
        }

        var client = http.RequestServices.GetService<IClusterClient>();

        // The stream outlives the request's authentication: it ends once its key is revoked (or no longer found).
        var keys = http.RequestServices.GetRequiredService<ApiKeyCache>();
        Func<Task<bool>> keyActive = async () => keyId is not null && await keys.GetAsync(keyId) is { IsActive: true };
        return new EventStreamResult(accountId, after, account, client, options.Value.Events, time, metrics, loggers.CreateLogger<EventStreamResult>(), keyActive);
    }
}
