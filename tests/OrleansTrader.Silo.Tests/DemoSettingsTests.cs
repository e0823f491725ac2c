using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Silo.Tests;

/// <summary>"Invalid settings stop startup with a message naming the key" (README), also for Demo:Symbol.</summary>
public sealed class DemoSettingsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("spy")]
    public void Startup_FailsWithClearMessage_WhenTheDemoSymbolIsNotASymbol(string symbol)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Symbol", symbol));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var current = error;
        while (current is not OptionsValidationException && current.InnerException is { } inner)
        {
            current = inner;
        }

        var validation = Assert.IsType<OptionsValidationException>(current);
        Assert.Contains("Demo:Symbol", validation.Message, StringComparison.Ordinal);
    }
}
