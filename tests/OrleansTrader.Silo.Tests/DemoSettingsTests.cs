using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Tests.Alpaca;

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

    [Theory]
    [InlineData("demo account")]
    [InlineData("démo")]
    [InlineData("demo.1")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901234")]
    public void Startup_FailsWithClearMessage_WhenTheDemoAccountIdIsNoIdTheApiAccepts(string accountId)
    {
        // Each was accepted, and the demo account opened under an id every /api/accounts/{accountId} route refuses.
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Feed:Kind", "none")
            .UseSetting("Demo:AccountId", accountId));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var current = error;
        while (current is not OptionsValidationException && current.InnerException is { } inner)
        {
            current = inner;
        }

        var validation = Assert.IsType<OptionsValidationException>(current);
        Assert.Contains("Demo:AccountId must be 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_WarnsNamingBothSettings_WhenTheDemoSymbolIsNotFed()
    {
        // The demo's strategy waited for SPY bars that never came: no order, no message.
        var logs = new CapturedLogs();
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Feed:Symbols:0", "AAPL")
            .ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        using var client = factory.CreateClient();

        var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains("Demo:Symbol", StringComparison.Ordinal)).Text;
        Assert.Contains("Demo:Symbol SPY is not among the fed symbols (Feed:Symbols: AAPL)", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_DoesNotWarn_WhenTheDemoSymbolIsFedOnlyThroughAlpacasOwnSymbols()
    {
        // Alpaca's stream subscribes to MarketData:Alpaca:Symbols as well as Feed:Symbols: SPY listed there was fed, and
        // the start still warned that the demo would never trade.
        var logs = new CapturedLogs();
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Feed:Kind", "alpaca")
            .UseSetting("Feed:Symbols:0", "AAPL")
            .UseSetting("MarketData:Alpaca:Symbols:0", "SPY")
            .UseSetting("MarketData:Alpaca:KeyId", "PKDEMOSYMBOLTEST1")
            .UseSetting("MarketData:Alpaca:SecretKey", "demo-symbol-test-secret-1")

            // Nothing listens there: the stream never reaches Alpaca from a test.
            .UseSetting("MarketData:Alpaca:StreamBaseUrl", "ws://127.0.0.1:9/v2")
            .ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        using var client = factory.CreateClient();

        Assert.DoesNotContain(logs.Entries, e => e.Text.Contains("Demo:Symbol", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.EventId.Id == 5901);
    }
}
