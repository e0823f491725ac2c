using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Hosting;
using OrleansTrader.MarketData.Synthetic;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.MarketData.Tests.Csv;

public sealed class CsvRegistrationTests
{
    private static ServiceProvider Build(Action<IServiceCollection> register, IDictionary<string, string?>? settings = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        register(services);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddCsvReplayFeed_FailsClearly_WithoutDataPathOrSymbols()
    {
        using var provider = Build(s => s.AddCsvReplayFeed());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CsvReplayOptions>>().Value);

        Assert.Contains("MarketData:Csv:DataPath is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MarketData:Csv:Symbols", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCsvReplayFeed_FailsClearly_OnANonPositivePriceCeiling()
    {
        using var provider = Build(s => s.AddCsvReplayFeed(), new Dictionary<string, string?> { ["MarketData:Validation:MaxPrice"] = "0" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TickValidatorOptions>>().Value);

        Assert.Contains("MarketData:Validation:MaxPrice must be > 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCsvReplayFeed_BindsConfiguration_AndRegistersTheFeed()
    {
        var folder = Path.GetTempPath();
        using var provider = Build(s => s.AddCsvReplayFeed(), new Dictionary<string, string?>
        {
            ["MarketData:Csv:DataPath"] = folder,
            ["MarketData:Csv:Symbols:0"] = "SPY",
            ["MarketData:Csv:Kinds:0"] = "TradeTicks",
            ["MarketData:Csv:StartDate"] = "2013-10-07",
            ["MarketData:Csv:SpeedFactor"] = "60",
        });

        var options = provider.GetRequiredService<IOptions<CsvReplayOptions>>().Value;
        var feed = provider.GetRequiredService<IMarketDataFeed>();

        Assert.Equal((folder, "SPY", CsvFileKind.TradeTicks, new DateOnly(2013, 10, 7), 60.0),
            (options.DataPath, Assert.Single(options.Symbols), Assert.Single(options.Kinds), options.StartDate!.Value, options.SpeedFactor));
        Assert.IsType<CsvReplayFeed>(feed);
    }

    [Fact]
    public void AddSyntheticFeed_BindsSymbols_AndRegistersTheFeed()
    {
        using var provider = Build(s => s.AddSyntheticFeed(), new Dictionary<string, string?>
        {
            ["MarketData:Synthetic:Seed"] = "7",
            ["MarketData:Synthetic:Symbols:0:Symbol"] = "AAA",
            ["MarketData:Synthetic:Symbols:0:StartPrice"] = "12.5",
        });

        var options = provider.GetRequiredService<IOptions<SyntheticFeedOptions>>().Value;

        Assert.Equal(7UL, options.Seed);
        Assert.Equal(("AAA", 12.5m), (options.Symbols[0].Symbol, options.Symbols[0].StartPrice));
        Assert.IsType<SyntheticFeed>(provider.GetRequiredService<IMarketDataFeed>());
    }
}
