using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansTrader.Brokers.Alpaca;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Brokers.Tests.Paper;

namespace OrleansTrader.Brokers.Tests.Alpaca;

public sealed class AlpacaHealthCheckTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HealthCheck_AsksTheVenue_HealthyWhenTheAccountIsActive_UnhealthyWhenAlpacaFails()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o => o.MaxRetryAttempts = 0);
        var clock = new ManualTimeProvider(Start);
        var check = new AlpacaHealthCheck(host.Client, clock);

        var healthy = await check.CheckHealthAsync(new HealthCheckContext(), Ct);
        server.AddFault(new FakeFault("GET", "/v2/account", FakeFaultKind.Status) { StatusCode = 503 });
        clock.Advance(AlpacaHealthCheck.AnswerReusedFor);
        var unhealthy = await check.CheckHealthAsync(new HealthCheckContext(), Ct);

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal(2, server.Requests.Count(r => r.Path == "/v2/account"));
    }

    /// <summary>
    /// /health/ready answers anyone, without a key or a rate limit, and GET /v2/account takes a permit of the key's 180 a
    /// minute that submits and cancels share: a probe a second, or a burst of them, used to spend that budget on
    /// readiness. The checks within AnswerReusedFor of the venue's answer, and the ones arriving while it is asked, take
    /// that answer.
    /// </summary>
    [Fact]
    public async Task HealthCheck_ManyProbes_AskTheVenueOncePerInterval_AndOneAtATime()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o => o.MaxRetryAttempts = 0);
        var clock = new ManualTimeProvider(Start);
        var check = new AlpacaHealthCheck(host.Client, clock);
        var venueAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.AddFault(new FakeFault("GET", "/v2/account", FakeFaultKind.DelayBeforeProcessing) { Gate = venueAnswers.Task });

        // A burst while the venue has not answered yet.
        var burst = Enumerable.Range(0, 20).Select(_ => check.CheckHealthAsync(new HealthCheckContext(), Ct)).ToList();
        venueAnswers.SetResult();
        var answers = await Task.WhenAll(burst);

        // Probes within the interval after it.
        clock.Advance(AlpacaHealthCheck.AnswerReusedFor - TimeSpan.FromSeconds(1));
        for (var probe = 0; probe < 20; probe++)
        {
            Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext(), Ct)).Status);
        }

        Assert.All(answers, answer => Assert.Equal(HealthStatus.Healthy, answer.Status));
        Assert.Equal(1, server.Requests.Count(r => r.Path == "/v2/account"));

        // Once the interval has passed, the venue is asked again: a failure shows within it.
        server.AddFault(new FakeFault("GET", "/v2/account", FakeFaultKind.Status) { StatusCode = 401 });
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new HealthCheckContext(), Ct)).Status);
        Assert.Equal(2, server.Requests.Count(r => r.Path == "/v2/account"));
    }

    /// <summary>The answer stands for an interval of elapsed time: with the wall clock set back an hour (NTP, an operator), it
    /// stood for that hour too, a failing venue reported healthy all along.</summary>
    [Fact]
    public async Task HealthCheck_AsksTheVenueAgainAfterTheInterval_WhenTheWallClockIsSetBackAnHour()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o => o.MaxRetryAttempts = 0);
        var clock = new ManualTimeProvider(Start);
        var check = new AlpacaHealthCheck(host.Client, clock);

        var healthy = await check.CheckHealthAsync(new HealthCheckContext(), Ct);
        server.AddFault(new FakeFault("GET", "/v2/account", FakeFaultKind.Status) { StatusCode = 503 });
        clock.Step(-TimeSpan.FromHours(1));
        clock.Advance(AlpacaHealthCheck.AnswerReusedFor);
        var unhealthy = await check.CheckHealthAsync(new HealthCheckContext(), Ct);

        Assert.Equal((HealthStatus.Healthy, HealthStatus.Unhealthy), (healthy.Status, unhealthy.Status));
        Assert.Equal(2, server.Requests.Count(r => r.Path == "/v2/account"));
    }

    /// <summary>The health framework makes a check registered by type anew for every run unless the container holds one:
    /// readiness as the silo runs it (HealthCheckService) must keep the venue's last answer between probes.</summary>
    [Fact]
    public async Task Readiness_AsTheSiloRunsIt_ReusesTheVenuesAnswerBetweenProbes()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        var clock = new ManualTimeProvider(Start);
        await using var host = AlpacaTestHost.Create(server, o => o.MaxRetryAttempts = 0, clock);
        var health = host.Services.GetRequiredService<HealthCheckService>();

        for (var probe = 0; probe < 5; probe++)
        {
            var report = await health.CheckHealthAsync(r => r.Tags.Contains("ready"), Ct);
            Assert.Equal(HealthStatus.Healthy, report.Entries["alpaca"].Status);
        }

        Assert.Equal(1, server.Requests.Count(r => r.Path == "/v2/account"));
    }
}
