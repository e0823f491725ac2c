using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Silo.Health;

/// <summary>
/// Liveness says the process answers; readiness runs every check tagged "ready", which components
/// (storage, runtime, feeds) register against their real dependencies. The probes arriving together share one run of
/// each check but the host's, and its answer stands for <see cref="ReadinessAnswerReusedFor"/> (<see cref="SharedReadinessChecks"/>).
/// </summary>
public static class SiloHealthExtensions
{
    public const string ReadyTag = "ready";

    /// <summary>The check that is unready from the moment the silo begins to stop; it runs on every probe.</summary>
    public const string HostCheckName = "host";

    /// <summary>How long a readiness check's answer stands for the probes after it (the host check's excepted).</summary>
    public static readonly TimeSpan ReadinessAnswerReusedFor = TimeSpan.FromSeconds(1);

    public static IHostApplicationBuilder AddSiloHealth(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IPostConfigureOptions<HealthCheckServiceOptions>, SharedReadinessChecks>();
        builder.Services.AddHealthChecks()
            .AddCheck<HostLifetimeHealthCheck>(HostCheckName, tags: [ReadyTag]);
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
