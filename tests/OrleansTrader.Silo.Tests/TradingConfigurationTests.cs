using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Silo.Tests;

public sealed class TradingConfigurationTests
{
    [Theory]
    [InlineData("Storage:Provider", "oracle", "Storage:Provider must be one of sqlite, postgres, memory")]
    [InlineData("Feed:Kind", "replay", "Feed:Path must name an existing folder")]
    [InlineData("Calendar:Kind", "lse", "Calendar:Kind must be one of always-open, nyse")]
    public void Startup_FailsWithClearMessage_WhenTradingConfigurationIsInvalid(string key, string value, string expected)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting(key, value));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
        Assert.Contains(expected, validation.Message, StringComparison.Ordinal);
    }

    private static Exception Unwrap(Exception error)
    {
        var current = error;
        while (current is not OptionsValidationException && current.InnerException is { } inner)
        {
            current = inner;
        }

        return current;
    }
}
