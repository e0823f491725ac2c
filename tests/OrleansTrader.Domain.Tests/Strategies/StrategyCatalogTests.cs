using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

public sealed class StrategyCatalogTests
{
    [Fact]
    public void Create_BuildsEachKind_WithParsedParameters()
    {
        var sma = Assert.IsType<SmaCrossoverStrategy>(StrategyCatalog.Create("sma-crossover", new Dictionary<string, string>
        {
            ["symbol"] = "SPY",
            ["quantity"] = "100",
            ["FastPeriod"] = "5",
            ["slowPeriod"] = "20",
            ["allowShort"] = "true",
        }));
        var rsi = Assert.IsType<RsiMeanReversionStrategy>(StrategyCatalog.Create("rsi-mean-reversion", new Dictionary<string, string>
        {
            ["symbol"] = "IBM",
            ["quantity"] = "2.5",
            ["oversold"] = "25.5",
        }));
        var bollinger = Assert.IsType<BollingerBreakoutStrategy>(StrategyCatalog.Create("bollinger-breakout", new Dictionary<string, string>
        {
            ["symbol"] = "BAC",
            ["quantity"] = "10",
            ["k"] = "1.5",
        }));

        Assert.Equal(new SmaCrossoverParameters { Symbol = "SPY", Quantity = 100m, FastPeriod = 5, SlowPeriod = 20, AllowShort = true }, sma.Parameters);
        Assert.Equal(new RsiMeanReversionParameters { Symbol = "IBM", Quantity = 2.5m, Period = 14, Oversold = 25.5m, Overbought = 70m }, rsi.Parameters);
        Assert.Equal(new BollingerBreakoutParameters { Symbol = "BAC", Quantity = 10m, Period = 20, K = 1.5m }, bollinger.Parameters);
    }

    [Fact]
    public void Create_AcceptsDecimalParameters()
    {
        var strategy = StrategyCatalog.Create("sma-crossover", "SPY", new Dictionary<string, decimal>
        {
            ["quantity"] = 50m,
            ["fastPeriod"] = 3m,
            ["slowPeriod"] = 8m,
            ["allowShort"] = 1m,
        });

        Assert.Equal(
            new SmaCrossoverParameters { Symbol = "SPY", Quantity = 50m, FastPeriod = 3, SlowPeriod = 8, AllowShort = true },
            Assert.IsType<SmaCrossoverStrategy>(strategy).Parameters);
    }

    [Fact]
    public void Create_ReportsEveryBadParameterByName()
    {
        var error = Assert.Throws<StrategyParameterException>(() => StrategyCatalog.Create("sma-crossover", new Dictionary<string, string>
        {
            ["symbol"] = "SPY",
            ["fastPeriod"] = "ten",
            ["slowPeriod"] = "0",
            ["allowShort"] = "maybe",
            ["slowPeriodd"] = "30",
        }));

        Assert.Equal(
            ["quantity", "fastPeriod", "allowShort", "slowPeriodd", "slowPeriod"],
            error.Errors.Select(e => e.Parameter));
        Assert.Contains("fastPeriod: must be an integer (got 'ten')", error.Message, StringComparison.Ordinal);
        Assert.Contains("slowPeriod: must be >= 1 (got 0)", error.Message, StringComparison.Ordinal);
        Assert.Contains("quantity: is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_DoesNotCompareTheSlowPeriodWithAFastPeriodThatDidNotParse()
    {
        // The fast period given was "x", not the default of 10: "slowPeriod: must be > fastPeriod 10 (got 2)" named a
        // value the request never gave, and sent the user to change a slow period that may be right.
        var error = Assert.Throws<StrategyParameterException>(() => StrategyCatalog.Create("sma-crossover", new Dictionary<string, string>
        {
            ["symbol"] = "SPY",
            ["quantity"] = "10",
            ["fastPeriod"] = "x",
            ["slowPeriod"] = "2",
        }));

        Assert.Equal(new StrategyParameterError("fastPeriod", "must be an integer (got 'x')"), Assert.Single(error.Errors));
    }

    [Theory]
    [InlineData("sma-crossover")]
    [InlineData("rsi-mean-reversion")]
    [InlineData("bollinger-breakout")]
    public void Create_TakesATrailingStopPercent_ForEveryKind_InRange(string kind)
    {
        var strategy = StrategyCatalog.Create(kind, "SPY", new Dictionary<string, decimal> { ["quantity"] = 10m, ["trailingStopPercent"] = 1.5m });
        var parameters = (StrategyParameters)strategy.GetType().GetProperty("Parameters")!.GetValue(strategy)!;
        Assert.Equal(1.5m, parameters.TrailingStopPercent);
        Assert.Contains("trailingStopPercent", StrategyCatalog.ParameterNames(kind));

        foreach (var bad in new[] { "0", "100", "-2", "abc" })
        {
            var error = Assert.Throws<StrategyParameterException>(() => StrategyCatalog.Create(kind, new Dictionary<string, string>
            {
                ["symbol"] = "SPY",
                ["quantity"] = "10",
                ["trailingStopPercent"] = bad,
            }));
            Assert.Equal("trailingStopPercent", Assert.Single(error.Errors).Parameter);
        }
    }

    [Theory]
    [InlineData("sma-crossover", "slowPeriod", "2147483647")]
    [InlineData("rsi-mean-reversion", "period", "2147483647")]
    [InlineData("bollinger-breakout", "period", "2147483647")]
    [InlineData("rsi-mean-reversion", "period", "100001")]
    [InlineData("bollinger-breakout", "period", "1000000000")]
    public void Create_RefusesAPeriodAboveTheMaximum_NamingIt_InsteadOfAllocatingItsWindow(string kind, string name, string period)
    {
        // Each period is a window of that many decimals, allocated when the strategy is built: 2147483647 threw an
        // OutOfMemoryException out of the create request, and 1000000000 asked for 16 GB.
        var error = Assert.Throws<StrategyParameterException>(() => StrategyCatalog.Create(kind, new Dictionary<string, string>
        {
            ["symbol"] = "SPY",
            ["quantity"] = "10",
            [name] = period,
        }));

        var refusal = Assert.Single(error.Errors);
        Assert.Equal(name, refusal.Parameter);
        Assert.Equal($"must be <= 100000 (got {period})", refusal.Message);
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("1,000")]
    [InlineData("10.00000000000000000000000000001")]
    [InlineData("0.1234567890123456789012345678901")]
    public void Create_RefusesADecimalItWouldReadAsAnotherNumber_NamingIt(string quantity)
    {
        // Read with group separators allowed anywhere, "1,5" (one and a half, as many write it) was 15 shares, ten times
        // the order meant; and digits past what a decimal holds were rounded away without a word.
        var error = Assert.Throws<StrategyParameterException>(() => StrategyCatalog.Create("sma-crossover", new Dictionary<string, string>
        {
            ["symbol"] = "SPY",
            ["quantity"] = quantity,
        }));

        var refusal = Assert.Single(error.Errors);
        Assert.Equal(("quantity", $"must be a decimal number, digits with an optional '.' and no more significant digits than a decimal holds (got '{quantity}')"),
            (refusal.Parameter, refusal.Message));
    }

    [Theory]
    [InlineData(" 2.50 ", 2.5)]
    [InlineData(".5", 0.5)]
    [InlineData("+7", 7)]
    [InlineData("0007.000", 7)]
    public void Create_ReadsADecimalAsWritten(string oversold, double expected)
    {
        var strategy = StrategyCatalog.Create("rsi-mean-reversion", new Dictionary<string, string>
        {
            ["symbol"] = "SPY",
            ["quantity"] = "1",
            ["oversold"] = oversold,
        });

        Assert.Equal((decimal)expected, Assert.IsType<RsiMeanReversionStrategy>(strategy).Parameters.Oversold);
    }

    [Theory]
    [InlineData("1000001")]
    [InlineData("79228162514264337593543950335")]
    public void Create_RefusesAQuantityAboveAnOrdersMaximum_NamingIt(string quantity)
    {
        // Every order of it is refused (QUANTITY_INVALID), and a backtest filled it: 79228162514264337593543950335 shares
        // overflowed the position's cost, a 500 out of POST /api/backtests.
        var error = Assert.Throws<StrategyParameterException>(() => StrategyCatalog.Create("sma-crossover", new Dictionary<string, string>
        {
            ["symbol"] = "SPY",
            ["quantity"] = quantity,
        }));

        var refusal = Assert.Single(error.Errors);
        Assert.Equal(("quantity", $"must be > 0 and <= 1000000 (got {quantity})"), (refusal.Parameter, refusal.Message));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100.01")]
    [InlineData("10000000000000000000000000000")]
    public void Create_RefusesABandWidthOutsideItsRange_NamingIt(string k)
    {
        // k times the window's sigma overflowed a decimal on every bar once sigma passed 1 (k near the decimal's maximum).
        var error = Assert.Throws<StrategyParameterException>(() => StrategyCatalog.Create("bollinger-breakout", new Dictionary<string, string>
        {
            ["symbol"] = "SPY",
            ["quantity"] = "10",
            ["k"] = k,
        }));

        var refusal = Assert.Single(error.Errors);
        Assert.Equal(("k", $"must be > 0 and <= 100 (got {k})"), (refusal.Parameter, refusal.Message));
    }

    [Fact]
    public void Create_RefusesBothCrossoverPeriodsAboveTheMaximum_AndTakesTheMaximum()
    {
        var error = Assert.Throws<StrategyParameterException>(() => StrategyCatalog.Create("sma-crossover", "SPY", new Dictionary<string, decimal>
        {
            ["quantity"] = 1m,
            ["fastPeriod"] = 200_000m,
            ["slowPeriod"] = 300_000m,
        }));
        Assert.Equal(["fastPeriod", "slowPeriod"], error.Errors.Select(e => e.Parameter));

        var longest = Assert.IsType<SmaCrossoverStrategy>(StrategyCatalog.Create("sma-crossover", "SPY", new Dictionary<string, decimal>
        {
            ["quantity"] = 1m,
            ["fastPeriod"] = 99_999m,
            ["slowPeriod"] = 100_000m,
        }));
        Assert.Equal(100_000, longest.WarmUpBars);
    }

    [Fact]
    public void Create_RejectsFractionalPeriod_FromDecimals()
    {
        var error = Assert.Throws<StrategyParameterException>(() => StrategyCatalog.Create("bollinger-breakout", "SPY", new Dictionary<string, decimal>
        {
            ["quantity"] = 1m,
            ["period"] = 20.5m,
        }));

        Assert.Equal("period", Assert.Single(error.Errors).Parameter);
    }

    [Fact]
    public void Create_Throws_ForUnknownKind_ListingTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => StrategyCatalog.Create("momentum", new Dictionary<string, string>()));

        Assert.Equal("kind", error.ParamName);
        Assert.Contains("sma-crossover, rsi-mean-reversion, bollinger-breakout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kinds_ListsTheThreeStrategies()
    {
        Assert.Equal(["sma-crossover", "rsi-mean-reversion", "bollinger-breakout"], StrategyCatalog.Kinds);
    }
}
