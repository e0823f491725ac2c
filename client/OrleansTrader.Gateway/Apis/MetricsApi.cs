using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansTrader.Gateway.Diagnostics;
using OrleansTrader.Gateway.Security;

namespace OrleansTrader.Gateway.Apis;

/// <summary>GET /metrics: Prometheus text exposition. Open by default (scrapers), a key when Gateway:Metrics:RequireAuth.</summary>
public static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder endpoints)
    {
        var route = endpoints.MapGet("/metrics", Scrape).WithTags("Metrics").WithName("GetMetrics").ExemptFromLoadShedding()
            .WithSummary("Prometheus text exposition of the project's meters.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<GatewayOptions>>().Value;
        if (options.Metrics.RequireAuth)
        {
            route.RequireAuthorization(GatewayPolicies.AnyKey);
        }
        else
        {
            route.AllowAnonymous();
        }

        return endpoints;
    }

    internal static ContentHttpResult Scrape(PrometheusExporter exporter) => TypedResults.Text(exporter.Scrape(), PrometheusExporter.ContentType);
}
