using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Paper;
using OrleansTrader.Silo.Health;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// /health/ready answers anyone, without a key or a rate limit, and its checks open database connections that trading
/// needs: a flood of about 2,900 probes a second raised order placement's median latency from 3 ms to 52 ms on SQLite.
/// The probes arriving together share one run of each check, and its answer stands for ReadinessAnswerReusedFor; the
/// host check still runs on every probe, so a stopping silo turns unready at once.
/// </summary>
public sealed class ReadinessProbeFloodTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConcurrentProbes_ShareOneRunOfACheck_AndItsAnswerStandsForTheReuseTime()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 7, 14, 0, 0, TimeSpan.Zero));
        var check = new GatedCountingCheck();
        await using var app = await StartAsync(clock, check);
        using var client = app.GetTestClient();

        var probes = Enumerable.Range(0, 20).Select(_ => client.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct)).ToArray();
        await check.FirstRun.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        check.Open();
        var responses = await Task.WhenAll(probes);

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal(1, check.Runs);

        clock.Advance(SiloHealthExtensions.ReadinessAnswerReusedFor - TimeSpan.FromTicks(1));
        Assert.Equal(HttpStatusCode.OK, await StatusOfReadyAsync(client));
        Assert.Equal(1, check.Runs);

        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(HttpStatusCode.OK, await StatusOfReadyAsync(client));
        Assert.Equal(2, check.Runs);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task StoppingSilo_IsUnreadyAtOnce_WhileOtherChecksAnswersAreReused()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 7, 14, 0, 0, TimeSpan.Zero));
        var check = new GatedCountingCheck();
        check.Open();
        var stopping = new HeldStop();
        await using var app = await StartAsync(clock, check, stopping);
        using var client = app.GetTestClient();
        Assert.Equal(HttpStatusCode.OK, await StatusOfReadyAsync(client));

        // The host stops its hosted services after it signals stopping, the last registered first: the web server
        // still answers while this one holds its stop.
        var stop = app.StopAsync(Ct);
        await stopping.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusOfReadyAsync(client));
        Assert.Equal(1, check.Runs);
        stopping.Release();
        await stop;
    }

    private static async Task<HttpStatusCode> StatusOfReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct);
        return response.StatusCode;
    }

    private static async Task<WebApplication> StartAsync(TimeProvider clock, IHealthCheck check, HeldStop? stopping = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(clock);
        builder.AddSiloHealth();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("store", _ => check, HealthStatus.Unhealthy, [SiloHealthExtensions.ReadyTag]));
        if (stopping is not null)
        {
            builder.Services.AddHostedService(_ => stopping);
        }

        var app = builder.Build();
        app.MapSiloHealth();
        await app.StartAsync(Ct);
        return app;
    }

    /// <summary>Counts its runs; every run waits until the test opens the gate.</summary>
    private sealed class GatedCountingCheck : IHealthCheck
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstRun = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public Task FirstRun => _firstRun.Task;

        public void Open() => _gate.TrySetResult();

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _runs);
            _firstRun.TrySetResult();
            await _gate.Task.WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy("The store answers.");
        }
    }

    private sealed class HeldStop : IHostedService
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            return _released.Task.WaitAsync(cancellationToken);
        }
    }
}
