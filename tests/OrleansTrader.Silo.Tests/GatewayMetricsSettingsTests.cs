using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansTrader.Gateway;

namespace OrleansTrader.Silo.Tests;

public sealed class GatewayMetricsSettingsTests
{
    [Fact]
    public void ConfiguredMeterPrefixes_ReplaceTheDefault()
    {
        // Binding appended the configured prefix to "OrleansTrader", so narrowing the export changed nothing.
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Kind", "none")
            .UseSetting("Gateway:Metrics:MeterPrefixes:0", "OrleansTrader.Gateway"));
        using var client = factory.CreateClient();

        var prefixes = factory.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.Metrics.MeterPrefixes;
        Assert.Equal(["OrleansTrader.Gateway"], prefixes);
    }

    [Fact]
    public void WithoutConfiguredMeterPrefixes_TheDefaultStays()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Kind", "none"));
        using var client = factory.CreateClient();

        Assert.Equal(["OrleansTrader"], factory.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.Metrics.MeterPrefixes);
    }
}
