using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Alpaca;

namespace OrleansTrader.Brokers.Tests.Alpaca;

public sealed class AlpacaOptionsValidationTests
{
    private const string GoodKey = "PKQ4W8E2R6T1Y5U9I3O7";
    private const string GoodSecret = "s3cretValue-8Jk2Lm4Nq6";

    [Fact]
    public void Validate_Succeeds_ForPaperKeysWithDefaults()
    {
        var options = Valid();

        var result = new AlpacaOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(AlpacaEndpoints.PaperTrading, options.ResolveTradingBaseUrl());
        Assert.Equal(AlpacaEndpoints.PaperStream, options.ResolveStreamUrl());
    }

    [Fact]
    public void Validate_Succeeds_ForLive_OnlyWhenLiveIsSet_AndPicksTheLiveHosts()
    {
        var options = Valid();
        options.Live = true;

        var result = new AlpacaOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(AlpacaEndpoints.LiveTrading, options.ResolveTradingBaseUrl());
        Assert.Equal(AlpacaEndpoints.LiveStream, options.ResolveStreamUrl());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("your-key")]
    [InlineData("changeme")]
    [InlineData("CHANGEME")]
    [InlineData("xxx")]
    [InlineData("XXXXXXXX")]
    [InlineData("<your alpaca key>")]
    [InlineData("${ALPACA_KEY}")]
    public void Validate_Fails_ForMissingOrPlaceholderCredentials(string value)
    {
        var keyOptions = Valid();
        keyOptions.KeyId = value;
        var secretOptions = Valid();
        secretOptions.SecretKey = value;

        var keyResult = new AlpacaOptionsValidator().Validate(null, keyOptions);
        var secretResult = new AlpacaOptionsValidator().Validate(null, secretOptions);

        Assert.True(keyResult.Failed);
        Assert.Contains("Alpaca:KeyId", keyResult.FailureMessage, StringComparison.Ordinal);
        Assert.True(secretResult.Failed);
        Assert.Contains("Alpaca:SecretKey", secretResult.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Fails_WhenPaperModePointsAtTheLiveHost()
    {
        var options = Valid();
        options.TradingBaseUrl = AlpacaEndpoints.LiveTrading;

        var result = new AlpacaOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Alpaca:Live is false but a live Alpaca host", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Fails_WhenLiveModePointsAtThePaperHost()
    {
        var options = Valid();
        options.Live = true;
        options.StreamUrl = AlpacaEndpoints.PaperStream;

        var result = new AlpacaOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Alpaca:Live is true but the paper Alpaca host", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Fails_ForPlainHttpToARemoteHost()
    {
        var options = Valid();
        options.TradingBaseUrl = new Uri("http://broker.example.com/");

        var result = new AlpacaOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Alpaca:TradingBaseUrl must use https", result.FailureMessage, StringComparison.Ordinal);
    }

    // A negative overlap was accepted: the reconnect back-fill then started after the last fill seen, missing the fills just after it.
    [Fact]
    public void Validate_Fails_ForANegativeBackfillOverlap()
    {
        var options = Valid();
        options.BackfillOverlap = TimeSpan.FromSeconds(-5);

        var result = new AlpacaOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Alpaca:BackfillOverlap", result.FailureMessage, StringComparison.Ordinal);
    }

    // A submit's permit waits are cut short to leave its request and one look-up a full RequestTimeout each within
    // SubmitTimeout: shorter than the two, every submit would be refused before it was sent.
    [Theory]
    [InlineData(10, 19, false)]
    [InlineData(10, 20, true)]
    [InlineData(12, 25, true)]
    [InlineData(13, 25, false)]
    public void Validate_NeedsASubmitTimeoutOfAtLeastTwoRequestTimeouts(int requestSeconds, int submitSeconds, bool valid)
    {
        var options = Valid();
        options.RequestTimeout = TimeSpan.FromSeconds(requestSeconds);
        options.SubmitTimeout = TimeSpan.FromSeconds(submitSeconds);

        var result = new AlpacaOptionsValidator().Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Alpaca:SubmitTimeout must be at least twice Alpaca:RequestTimeout", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_NeverEchoesTheCredentialValues()
    {
        var options = Valid();
        options.Live = true;
        options.TradingBaseUrl = AlpacaEndpoints.PaperTrading;
        options.MaxRequestsPerWindow = 0;

        var result = new AlpacaOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.DoesNotContain(GoodKey, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(GoodSecret, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_IsRefused_WhenTheKeysAreMissing()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAlpacaBroker(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Alpaca:KeyId", error.Message, StringComparison.Ordinal);
        Assert.Contains("Alpaca:SecretKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_ReadsTheKeysFromDoubleUnderscoreEnvironmentVariables()
    {
        var prefix = $"OTTEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "Alpaca__KeyId", GoodKey);
        Environment.SetEnvironmentVariable(prefix + "Alpaca__SecretKey", GoodSecret);
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            var services = new ServiceCollection().AddLogging().AddAlpacaBroker(configuration);
            using var provider = services.BuildServiceProvider();

            var options = provider.GetRequiredService<IOptions<AlpacaOptions>>().Value;

            Assert.Equal(GoodKey, options.KeyId);
            Assert.Equal(GoodSecret, options.SecretKey);
            Assert.False(options.Live);
            Assert.NotNull(provider.GetRequiredKeyedService<IBrokerClient>(AlpacaServiceCollectionExtensions.BrokerKey));
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Alpaca__KeyId", null);
            Environment.SetEnvironmentVariable(prefix + "Alpaca__SecretKey", null);
        }
    }

    private static AlpacaOptions Valid() => new() { KeyId = GoodKey, SecretKey = GoodSecret };
}
