using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansTrader.Silo.Health;

/// <summary>
/// Liveness says the process answers; readiness runs every check tagged "ready", which components
/// (storage, runtime, feeds) register against their real dependencies.
/// </summary>
public static class SiloHealthExtensions
{
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddSiloHealth(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHealthChecks()
            .AddCheck<HostLifetimeHealthCheck>("host", tags: [ReadyTag]);
        return builder;
    }

    public static IEndpointRouteBuilder MapSiloHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
        });
        return endpoints;
    }
}
