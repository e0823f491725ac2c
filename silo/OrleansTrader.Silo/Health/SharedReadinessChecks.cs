using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Silo.Health;

/// <summary>
/// Makes every readiness check but the host's run once for the probes that arrive while it runs, and reuses its
/// answer for <see cref="SiloHealthExtensions.ReadinessAnswerReusedFor"/>: readiness answers anyone without a key and
/// no rate limit, and the checks take database connections that trading needs, so a flood of probes would otherwise
/// slow orders down (and could empty PostgreSQL's pool). The host check stays fresh on every probe, so a silo that
/// begins to stop turns unready at once.
/// </summary>
internal sealed class SharedReadinessChecks(IServiceScopeFactory scopes, TimeProvider time) : IPostConfigureOptions<HealthCheckServiceOptions>
{
    public void PostConfigure(string? name, HealthCheckServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var registration in options.Registrations)
        {
            if (registration.Tags.Contains(SiloHealthExtensions.ReadyTag) && registration.Name != SiloHealthExtensions.HostCheckName)
            {
                var shared = new SharedCheck(registration.Factory, scopes, time);
                registration.Factory = _ => shared;
            }
        }
    }

    private sealed class SharedCheck(Func<IServiceProvider, IHealthCheck> factory, IServiceScopeFactory scopes, TimeProvider time) : IHealthCheck
    {
        private readonly Lock _lock = new();
        private Task<HealthCheckResult>? _running;
        private long _startedAt;

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            Task<HealthCheckResult> running;
            lock (_lock)
            {
                // Elapsed time, not the wall clock's: set back an hour, the wall clock kept the answer an hour.
                if (_running is null || (_running.IsCompleted && time.GetElapsedTime(_startedAt) >= SiloHealthExtensions.ReadinessAnswerReusedFor))
                {
                    _startedAt = time.GetTimestamp();
                    _running = RunAsync(context);
                }

                running = _running;
            }

            // A probe that gives up (or times out) stops waiting; the run goes on for the probes that share it.
            return running.WaitAsync(cancellationToken);
        }

        // In a scope of its own and not on a probe's token: the probes sharing the run end at different times, and the
        // first to end must not dispose or cancel the check the others wait on. The checks bound their own waits.
        private async Task<HealthCheckResult> RunAsync(HealthCheckContext context)
        {
            await using var scope = scopes.CreateAsyncScope();
            var check = factory(scope.ServiceProvider);
            return await check.CheckHealthAsync(context, CancellationToken.None);
        }
    }
}
