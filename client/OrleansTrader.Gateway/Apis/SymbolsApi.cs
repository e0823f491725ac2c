using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTrader.Domain.Market;
using OrleansTrader.Gateway.Json;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Apis;

/// <summary>Market data: the last trade and quote, and completed bars (any valid key).</summary>
public static class SymbolsApi
{
    public static readonly TimeSpan MaxBarRange = TimeSpan.FromDays(7);

    private static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);

    public static IEndpointRouteBuilder MapSymbolsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/symbols/{symbol}").WithTags("Market data").AddEndpointFilter<RouteValuesFilter>()
            .RequireAuthorization(GatewayPolicies.AnyKey);
        group.MapGet("/quote", GetQuoteAsync).WithName("GetQuote").WithSummary("The last trade and quote and whether the data is stale.");
        group.MapGet("/bars", GetBarsAsync).WithName("GetBars")
            .WithSummary("Completed bars (interval 1s or 1m) starting in [from, to); at most 7 days; default the last hour.");
        return endpoints;
    }

    internal static async Task<Ok<SymbolQuote>> GetQuoteAsync(string symbol, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ISymbolGrain>(symbol).GetQuoteAsync());

    internal static async Task<Results<Ok<IReadOnlyList<Bar>>, ValidationProblem>> GetBarsAsync(
        string symbol, IGrainFactory grains, TimeProvider time, HttpRequest request, string? interval, DateTimeOffset? from, DateTimeOffset? to)
    {
        // The binder reads a time without its offset, or a date alone, in the host's time zone: one query, other bars on a
        // silo kept in New York's zone than in UTC. Refused as in a body.
        foreach (var (name, given) in new[] { ("from", from), ("to", to) })
        {
            if (given is not null && !ExplicitOffsetJsonConverter.HasOffset(request.Query[name].ToString()))
            {
                return ApiProblems.Invalid(name, ExplicitOffsetJsonConverter.Problem);
            }
        }

        TimeSpan? span = (interval ?? "1m") switch
        {
            "1m" => TimeSpan.FromMinutes(1),
            "1s" => TimeSpan.FromSeconds(1),
            _ => null,
        };
        if (span is null)
        {
            return ApiProblems.Invalid("interval", "Must be \"1m\" or \"1s\".");
        }

        // In UTC before any arithmetic: "0001-01-01T00:00:00-14:00" is a valid instant, but an hour before it is not a
        // valid local time at that offset, so subtracting from it as given throws (a 500).
        var end = (to ?? time.GetUtcNow()).ToUniversalTime();

        // The default hour before "to" stops at the earliest time: subtracting past it throws, which would be a 500.
        var start = from?.ToUniversalTime() ?? (end - DateTimeOffset.MinValue < DefaultRange ? DateTimeOffset.MinValue : end - DefaultRange);
        if (start >= end || end - start > MaxBarRange)
        {
            return ApiProblems.Invalid("from", "Must be before \"to\" and at most 7 days earlier.");
        }

        return TypedResults.Ok(await grains.GetGrain<ISymbolGrain>(symbol).GetBarsAsync(span.Value, start, end));
    }
}
