using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansTrader.Brokers.Alpaca;
using OrleansTrader.Brokers.Tests.Fakes;

namespace OrleansTrader.Brokers.Tests.Alpaca;

public sealed class AlpacaHealthCheckTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HealthCheck_AsksTheVenue_HealthyWhenTheAccountIsActive_UnhealthyWhenAlpacaFails()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o => o.MaxRetryAttempts = 0);
        var check = new AlpacaHealthCheck(host.Client);

        var healthy = await check.CheckHealthAsync(new HealthCheckContext(), Ct);
        server.AddFault(new FakeFault("GET", "/v2/account", FakeFaultKind.Status) { StatusCode = 503 });
        var unhealthy = await check.CheckHealthAsync(new HealthCheckContext(), Ct);

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal(2, server.Requests.Count(r => r.Path == "/v2/account"));
    }
}
