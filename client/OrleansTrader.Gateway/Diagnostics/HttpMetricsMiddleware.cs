using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>Counts every request by its route template (bounded cardinality: never the raw path) and final status, and the
/// order placements refused as invalid.</summary>
internal sealed class HttpMetricsMiddleware(RequestDelegate next, GatewayMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            // The exception handler clears the endpoint before it writes the error; its feature keeps the one that failed.
            var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
            var route = RouteLabel((endpoint as RouteEndpoint)?.RoutePattern.RawText);
            metrics.Request(route, context.Request.Method, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));

            // A placement answered 400 never reached the account, whatever refused it: a field rule in the handler, the JSON
            // binding before it (malformed, an unknown field, a wrong type: an exception), or the path's filter.
            if (context.Response.StatusCode == StatusCodes.Status400BadRequest
                && endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == Apis.OrdersApi.PlaceOrderEndpoint)
            {
                metrics.InvalidOrder();
            }
        }
    }

    /// <summary>
    /// The route template as the API documents it: a group's own route ("" under "/api/accounts/{accountId}/orders") has
    /// the group's trailing slash in its raw text, which no documented path and no other route's label has.
    /// </summary>
    internal static string RouteLabel(string? template) =>
        template is null ? "unmatched" : template.Length > 1 ? template.TrimEnd('/') : template;
}
