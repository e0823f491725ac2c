using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Hosting;
using OrleansTrader.MarketData.Synthetic;
using OrleansTrader.MarketData.Tests.Support;
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

    /// <summary>
    /// The binder skips a list element it cannot convert without a word: a misspelt kind replayed the default minute bars
    /// instead of the ticks asked for, and the silo started as if nothing were wrong.
    /// </summary>
    [Fact]
    public void AddCsvReplayFeed_FailsClearly_OnAKindItDoesNotKnow()
    {
        using var data = new TempDirectory();
        data.Write("minute/SPY/2013-10-07.trades.csv", "time,open,high,low,close,volume\n");
        using var provider = Build(s => s.AddCsvReplayFeed(), new Dictionary<string, string?>
        {
            ["MarketData:Csv:DataPath"] = data.Path,
            ["MarketData:Csv:Symbols:0"] = "SPY",
            ["MarketData:Csv:Kinds:0"] = "MinuteTradeBars",
            ["MarketData:Csv:Kinds:1"] = "TradeTick",
        });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CsvReplayOptions>>().Value);

        Assert.Contains("MarketData:Csv:Kinds:1 is \"TradeTick\"", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A symbol without files is a configuration mistake, refused at start-up: found only once the replay ran, it was an
    /// error with a stack trace in a log while the silo started and served as if the symbol were fed.
    /// </summary>
    [Fact]
    public void AddCsvReplayFeed_FailsClearly_OnASymbolWithoutFiles()
    {
        using var data = new TempDirectory();
        data.Write("minute/SPY/2013-10-07.trades.csv", "time,open,high,low,close,volume\n");
        using var provider = Build(s => s.AddCsvReplayFeed(), new Dictionary<string, string?>
        {
            ["MarketData:Csv:DataPath"] = data.Path,
            ["MarketData:Csv:Symbols:0"] = "SPY",
            ["MarketData:Csv:Symbols:1"] = "MSFT",
        });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CsvReplayOptions>>().Value);

        Assert.Contains($"No market data files for symbol 'MSFT' (MinuteTradeBars) under '{data.Path}'.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'SPY'", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A daily file holds every date in one file: one without a row in the configured dates (GOOG's starts in 2004) passed
    /// the start-up check, and the silo started and served while the replay delivered nothing for the symbol.
    /// </summary>
    [Fact]
    public void AddCsvReplayFeed_FailsClearly_OnADailyFileWithoutRowsInTheDates()
    {
        using var data = new TempDirectory();
        data.Write("daily/GOOG.csv", "date,open,high,low,close,volume\n2004-08-19,135.91,140.93,94.54,100.37,23200275\n");
        data.Write("daily/SPY.csv", "date,open,high,low,close,volume\n1998-01-02,97.31,97.53,96.53,97.36,2150000\n2001-01-02,132,132.5,127.6,128.8,8737500\n");
        using var provider = Build(s => s.AddCsvReplayFeed(), new Dictionary<string, string?>
        {
            ["MarketData:Csv:DataPath"] = data.Path,
            ["MarketData:Csv:Symbols:0"] = "SPY",
            ["MarketData:Csv:Symbols:1"] = "GOOG",
            ["MarketData:Csv:Kinds:0"] = "DailyBars",
            ["MarketData:Csv:StartDate"] = "2000-01-01",
            ["MarketData:Csv:EndDate"] = "2003-12-31",
        });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CsvReplayOptions>>().Value);

        Assert.Contains($"No market data files for symbol 'GOOG' (DailyBars) under '{data.Path}' between 2000-01-01 and 2003-12-31", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'SPY'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCsvReplayFeed_BindsConfiguration_AndRegistersTheFeed()
    {
        using var data = new TempDirectory();
        data.Write("ticks/SPY/2013-10-07.trades.csv.gz", "time,price,size,exchange,condition,suspicious\n", gzip: true);
        var folder = data.Path;
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
