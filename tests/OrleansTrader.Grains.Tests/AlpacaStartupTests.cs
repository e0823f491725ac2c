using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>A silo configured with Alpaca refuses to start on bad settings, with a message that names the setting.</summary>
public sealed class AlpacaStartupTests
{
    private static readonly Uri Loopback = new("http://127.0.0.1:9/");

    [Fact]
    public async Task SiloStartup_Fails_WhenTheKeysArePlaceholders()
    {
        var settings = Settings();
        settings["Alpaca:KeyId"] = "your-key";
        settings["Alpaca:SecretKey"] = "changeme";

        var message = await StartupFailureAsync(settings);

        Assert.Contains("Alpaca:KeyId (environment variable Alpaca__KeyId) holds a placeholder", message, StringComparison.Ordinal);
        Assert.Contains("Alpaca:SecretKey (environment variable Alpaca__SecretKey) holds a placeholder", message, StringComparison.Ordinal);
        Assert.DoesNotContain("changeme", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SiloStartup_Fails_WhenTheKeysAreMissing()
    {
        var settings = Settings();
        settings.Remove("Alpaca:KeyId");
        settings["Alpaca:SecretKey"] = "";

        var message = await StartupFailureAsync(settings);

        Assert.Contains("Alpaca:KeyId (environment variable Alpaca__KeyId) is missing", message, StringComparison.Ordinal);
        Assert.Contains("Alpaca:SecretKey (environment variable Alpaca__SecretKey) is missing", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SiloStartup_Fails_WhenLiveIsTrueWithThePaperHost()
    {
        var settings = Settings();
        settings["Alpaca:Live"] = "true";
        settings["Alpaca:TradingBaseUrl"] = "https://paper-api.alpaca.markets/";
        settings["Alpaca:StreamUrl"] = "wss://paper-api.alpaca.markets/stream";

        var message = await StartupFailureAsync(settings);

        Assert.Contains("Alpaca:Live is true but the paper Alpaca host is configured", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SiloStartup_Fails_WhenNoAccountIsBoundToTheKey()
    {
        var settings = Settings();
        settings.Remove("Alpaca:AccountId");

        var message = await StartupFailureAsync(settings);

        Assert.Contains("Alpaca:AccountId (environment variable Alpaca__AccountId) is missing", message, StringComparison.Ordinal);
    }

    // The binding check allowed any trimmed id of up to 64 characters, so an id the HTTP API refuses ('/', spaces, '.')
    // started a silo whose one Alpaca account could never be opened or traded through the API.
    [Theory]
    [InlineData("main/alpaca")]
    [InlineData("main account")]
    [InlineData("main.alpaca")]
    public async Task SiloStartup_Fails_WhenTheBoundAccountIdIsNotAnApiId(string accountId)
    {
        var settings = Settings();
        settings["Alpaca:AccountId"] = accountId;

        var message = await StartupFailureAsync(settings);

        Assert.Contains("Alpaca:AccountId (environment variable Alpaca__AccountId) must be 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'",
            message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Alpaca:KeyId"] = "PKTESTKEY0000000001",
        ["Alpaca:SecretKey"] = "testSecret-0000000001",
        ["Alpaca:AccountId"] = "startup-account",
        ["Alpaca:TradingBaseUrl"] = Loopback.ToString(),
        ["Alpaca:StreamUrl"] = "ws://127.0.0.1:9/stream",
    };

    private static async Task<string> StartupFailureAsync(Dictionary<string, string?> settings)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => AlpacaSilo.StartClusterAsync(settings));
        var messages = new List<string>();
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(i => i.Message));
            }
        }

        return string.Join(Environment.NewLine, messages);
    }
}
