using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

public sealed class StrategyRegistryTests
{
    private static readonly StrategyDefinition BarCounter = new()
    {
        Kind = "bar-counter",
        ParameterNames = ["step", "label"],
        MaxSymbols = 3,
        StateType = typeof(BarCounterState),
        Create = setup =>
        {
            var step = setup.Int("step", 1);
            if (step < 1)
            {
                setup.Invalid("step", "must be at least 1");
            }

            return new BarCounterStrategy(setup.Symbols, step, setup.Parameters.GetValueOrDefault("label") ?? "none");
        },
    };

    [Fact]
    public void ARegisteredKind_IsBuiltFromItsSymbolsAndParameters_BesideTheBuiltInOnes()
    {
        var registry = new StrategyRegistry([BarCounter]);

        var strategy = Assert.IsType<BarCounterStrategy>(registry.Create("bar-counter", ["AAA", "BBB"], new Dictionary<string, string> { ["STEP"] = "2", ["label"] = "x" }));

        Assert.Equal(["AAA", "BBB"], strategy.Symbols);
        Assert.Equal(2, strategy.Step);
        Assert.Equal("x", strategy.Label);
        Assert.Equal([.. StrategyKinds.All, "bar-counter"], registry.Kinds);
        Assert.True(registry.IsCustom("bar-counter"));
        Assert.False(registry.IsCustom(StrategyKinds.SmaCrossover));
        Assert.IsType<SmaCrossoverStrategy>(registry.Create(StrategyKinds.SmaCrossover, ["SPY"], new Dictionary<string, string> { ["quantity"] = "5" }));
    }

    /// <summary>
    /// A parameter's value is text people read back (the strategy's status; a registered kind's reasons, in the account's
    /// journal): a bidirectional override showed it reordered ("desk [U+202E]live" reads "desk evil") and passed, as it is
    /// no control character. Spaces around a value were kept where a kind read its parameters itself, though every reader trims them.
    /// </summary>
    [Fact]
    public void AParameterValue_WithABidirectionalOverrideOrAControlCharacter_IsRefused_AndSpacesAroundItAreTrimmed()
    {
        var registry = new StrategyRegistry([BarCounter]);

        foreach (var label in new[] { "desk \u202Eevil", "\u2066x\u2069", "x\u0007" })
        {
            var refused = Assert.Throws<StrategyParameterException>(() =>
                registry.Create("bar-counter", ["AAA"], new Dictionary<string, string> { ["label"] = label }));
            Assert.Equal(("label", "must not contain control or bidirectional formatting characters"), (Assert.Single(refused.Errors).Parameter, refused.Errors[0].Message));
        }

        var quantity = Assert.Throws<StrategyParameterException>(() =>
            registry.Create(StrategyKinds.SmaCrossover, ["SPY"], new Dictionary<string, string> { ["quantity"] = "5", ["fastPeriod"] = "\u202E5" }));
        Assert.Contains(quantity.Errors, e => e.Parameter == "fastPeriod" && e.Message == "must not contain control or bidirectional formatting characters");

        var trimmed = Assert.IsType<BarCounterStrategy>(registry.Create("bar-counter", ["AAA"], new Dictionary<string, string> { ["label"] = "  x\u00A0" }));
        Assert.Equal("x", trimmed.Label);
    }

    [Fact]
    public void ARegisteredKind_IsRefusedWithEveryBadParameterAndSymbol()
    {
        var registry = new StrategyRegistry([BarCounter]);

        var parameters = Assert.Throws<StrategyParameterException>(() =>
            registry.Create("bar-counter", ["AAA"], new Dictionary<string, string> { ["step"] = "0", ["colour"] = "red" }));
        Assert.Equal(["step", "colour"], parameters.Errors.Select(e => e.Parameter));

        var notAnInt = Assert.Throws<StrategyParameterException>(() => registry.Create("bar-counter", ["AAA"], new Dictionary<string, string> { ["step"] = "two" }));
        Assert.Equal("step", Assert.Single(notAnInt.Errors).Parameter);

        foreach (var symbols in new[] { Array.Empty<string>(), ["A", "B", "C", "D"], ["A", "A"], [" "] })
        {
            var error = Assert.Throws<StrategyParameterException>(() => registry.Create("bar-counter", symbols, new Dictionary<string, string>()));
            Assert.Equal("symbols", Assert.Single(error.Errors).Parameter);
        }

        var builtIn = Assert.Throws<StrategyParameterException>(() =>
            registry.Create(StrategyKinds.SmaCrossover, ["SPY", "QQQ"], new Dictionary<string, string> { ["quantity"] = "5" }));
        Assert.Contains("exactly one symbol", builtIn.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<ArgumentException>(() => registry.Create("momentum", ["SPY"], new Dictionary<string, string>()));
        Assert.Contains("bar-counter", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABuiltInKind_RefusesASymbolParameter_AndNamesOnlyTheParametersItTakes()
    {
        var registry = new StrategyRegistry([]);
        const string Known = "is not a parameter of this strategy (known: quantity, fastPeriod, slowPeriod, allowShort, trailingStopPercent)";

        // The symbols are given apart; a "symbol" parameter naming another one must not be taken and then ignored.
        var symbol = Assert.Throws<StrategyParameterException>(() =>
            registry.Create(StrategyKinds.SmaCrossover, ["SPY"], new Dictionary<string, string> { ["symbol"] = "AAPL", ["quantity"] = "10" }));
        Assert.Equal(new StrategyParameterError("symbol", Known), Assert.Single(symbol.Errors));

        // One naming the strategy's own symbol changes nothing (strategies stored with one still start).
        Assert.NotNull(registry.Create(StrategyKinds.SmaCrossover, ["SPY"], new Dictionary<string, string> { ["symbol"] = "spy", ["quantity"] = "10" }));

        var typo = Assert.Throws<StrategyParameterException>(() =>
            registry.Create(StrategyKinds.SmaCrossover, ["SPY"], new Dictionary<string, string> { ["quantity"] = "10", ["slowPeriods"] = "8" }));
        Assert.Equal(new StrategyParameterError("slowPeriods", Known), Assert.Single(typo.Errors));

        var both = Assert.Throws<StrategyParameterException>(() =>
            registry.Create(StrategyKinds.SmaCrossover, ["SPY"], new Dictionary<string, string> { ["fastPeriod"] = "x", ["slowPeriods"] = "8" }));
        Assert.Equal(["fastPeriod", "quantity", "slowPeriods"], both.Errors.Select(e => e.Parameter).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AParameterGivenTwiceInTwoCases_IsRefusedByName_ForABuiltInAndARegisteredKind()
    {
        var registry = new StrategyRegistry([BarCounter]);

        // A JSON body keeps "quantity" and "Quantity" apart; the names are case-insensitive, so the strategy cannot tell
        // which one is meant and the request is refused naming it, as the catalog refuses it.
        var builtIn = Assert.Throws<StrategyParameterException>(() =>
            registry.Create(StrategyKinds.SmaCrossover, ["SPY"], new Dictionary<string, string> { ["quantity"] = "10", ["Quantity"] = "20" }));
        Assert.Equal(new StrategyParameterError("Quantity", "is given more than once (keys are case-insensitive)"), Assert.Single(builtIn.Errors));

        var registered = Assert.Throws<StrategyParameterException>(() =>
            registry.Create("bar-counter", ["AAA"], new Dictionary<string, string> { ["step"] = "2", ["STEP"] = "3" }));
        Assert.Equal(new StrategyParameterError("STEP", "is given more than once (keys are case-insensitive)"), Assert.Single(registered.Errors));
    }

    [Fact]
    public void ARegisteredKindsSnapshot_RoundTripsAsJsonOfItsOwnType()
    {
        var registry = new StrategyRegistry([BarCounter]);
        var state = new BarCounterState { Bars = 41, LastClose = 101.25m, Seen = ["AAA"] };

        var json = registry.SerializeState("bar-counter", state);
        var restored = Assert.IsType<BarCounterState>(registry.DeserializeState("bar-counter", json));

        Assert.Equal(41, restored.Bars);
        Assert.Equal(101.25m, restored.LastClose);
        Assert.Equal(["AAA"], restored.Seen);
        Assert.Throws<InvalidOperationException>(() => registry.SerializeState("bar-counter", new OtherState()));
        Assert.Throws<ArgumentException>(() => registry.SerializeState(StrategyKinds.SmaCrossover, state));
    }

    [Fact]
    public void Definitions_AreCheckedWhenTheRegistryIsBuilt()
    {
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new StrategyRegistry([BarCounter, BarCounter])).Message, StringComparison.Ordinal);
        Assert.Contains("built in", Assert.Throws<ArgumentException>(() => new StrategyRegistry([BarCounter with { Kind = StrategyKinds.SmaCrossover }])).Message, StringComparison.Ordinal);
        foreach (var kind in new[] { "", "Bar", "bar counter", "-bar", new string('a', 65), "bar-counter\n" })
        {
            Assert.Throws<ArgumentException>(() => new StrategyRegistry([BarCounter with { Kind = kind }]));
        }

        Assert.Throws<ArgumentException>(() => new StrategyRegistry([BarCounter with { StateType = typeof(StrategyState) }]));
        Assert.Throws<ArgumentException>(() => new StrategyRegistry([BarCounter with { StateType = typeof(string) }]));
        Assert.Throws<ArgumentException>(() => new StrategyRegistry([BarCounter with { MaxSymbols = 0 }]));
        Assert.Throws<ArgumentException>(() => new StrategyRegistry([BarCounter with { ParameterNames = ["step", "STEP"] }]));
    }

    [Fact]
    public void TheDocumentedExample_BacktestsThroughTheRegistry_AndResumesFromItsSnapshot()
    {
        var registry = new StrategyRegistry([ChannelBreakoutStrategy.Definition]);
        var parameters = new Dictionary<string, string> { ["quantity"] = "10", ["lookback"] = "3" };
        Assert.Equal("lookback", Assert.Single(Assert.Throws<StrategyParameterException>(() =>
            registry.Create("channel-breakout", ["SPY"], new Dictionary<string, string> { ["quantity"] = "10", ["lookback"] = "1" })).Errors).Parameter);

        // Flat, a break up (buy), a drift, a break down (sell).
        decimal[] closes = [100m, 101m, 100.5m, 103m, 104m, 103.5m, 102m, 99m, 98m];
        var start = new DateTimeOffset(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);
        var bars = closes.Select((c, i) => new Bar("SPY", start.AddMinutes(i), TimeSpan.FromMinutes(1), c, c + 0.5m, c - 0.5m, c, 1_000m)).ToList();

        var result = Backtester.Run(registry.Create("channel-breakout", ["SPY"], parameters), bars, new BacktestOptions { StrategyId = "doc", InitialCash = 100_000m });

        Assert.Equal([OrderSide.Buy, OrderSide.Sell], result.Executions.Select(e => e.Side));
        Assert.Equal(0m, result.Positions["SPY"].Quantity);

        var json = registry.SerializeState("channel-breakout", result.FinalState);
        var resumed = registry.Create("channel-breakout", ["SPY"], parameters);
        resumed.Restore(registry.DeserializeState("channel-breakout", json));
        Assert.Equal([102m, 99m, 98m], ((ChannelBreakoutState)resumed.GetState()).Closes["SPY"]);
    }

    [Fact]
    public void BadSymbols_AreRefusedWithEveryOtherProblemOfTheRequest_NotAlone()
    {
        // docs/strategies.md: a request with any problem is refused with all of them, a repeated symbol's too. The symbols
        // were checked alone first, so fixing them only brought the parameters' problems to light on the next try.
        var firstSymbolOnly = BarCounter with
        {
            Kind = "first-symbol",
            Create = setup => new BarCounterStrategy([setup.Symbols[0]], setup.Int("step", 1), "first"),
        };
        var registry = new StrategyRegistry([BarCounter, firstSymbolOnly]);

        var custom = Assert.Throws<StrategyParameterException>(() => registry.Create("bar-counter", ["AAA", "AAA"],
            new Dictionary<string, string> { ["step"] = "0", ["bogus"] = "1" }));
        Assert.Equal(["symbols", "step", "bogus"], custom.Errors.Select(e => e.Parameter));

        var builtIn = Assert.Throws<StrategyParameterException>(() => registry.Create(StrategyKinds.SmaCrossover, ["SPY", "SPY"],
            new Dictionary<string, string> { ["quantity"] = "-1" }));
        Assert.Equal(["symbols", "quantity"], builtIn.Errors.Select(e => e.Parameter));

        // A definition whose Create relies on the symbols it was promised is not called on ones that break the promise.
        var none = Assert.Throws<StrategyParameterException>(() => registry.Create("first-symbol", [], new Dictionary<string, string> { ["step"] = "x" }));
        Assert.Equal("symbols", Assert.Single(none.Errors).Parameter);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void TheDocumentedExample_RefusesAQuantityItCouldNeverOrder(string quantity)
    {
        // Taken, such a strategy ran and every signal threw at SubmitOrder ("Quantity must be > 0"), into lastError.
        var registry = new StrategyRegistry([ChannelBreakoutStrategy.Definition]);

        var refused = Assert.Throws<StrategyParameterException>(() =>
            registry.Create("channel-breakout", ["SPY"], new Dictionary<string, string> { ["quantity"] = quantity }));

        Assert.Equal("quantity", Assert.Single(refused.Errors).Parameter);
    }

    [Fact]
    public void TheDocumentedExample_IsTheCodeCompiledAndTestedHere()
    {
        // docs/strategies.md shows the strategy of ChannelBreakoutStrategy.cs: a change to one must be made to the other.
        var root = RepositoryRoot();
        var document = File.ReadAllText(Path.Combine(root, "docs", "strategies.md")).ReplaceLineEndings("\n");
        var code = File.ReadAllText(Path.Combine(root, "tests", "OrleansTrader.Domain.Tests", "Strategies", "ChannelBreakoutStrategy.cs")).ReplaceLineEndings("\n");
        const string Fence = "```csharp\n";
        var start = document.IndexOf(Fence, StringComparison.Ordinal) + Fence.Length;
        var snippet = document[start..document.IndexOf("```", start, StringComparison.Ordinal)];

        Assert.Contains("class ChannelBreakoutStrategy", snippet, StringComparison.Ordinal);
        Assert.Contains(snippet, code, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "docs", "strategies.md")) && Directory.Exists(Path.Combine(dir.FullName, "tests")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No repository with docs/strategies.md above {AppContext.BaseDirectory}.");
    }

    private sealed record BarCounterState : StrategyState
    {
        public int Bars { get; init; }

        public decimal? LastClose { get; init; }

        public List<string> Seen { get; init; } = [];
    }

    private sealed record OtherState : StrategyState;

    private sealed class BarCounterStrategy(IReadOnlyList<string> symbols, int step, string label) : StrategyBase
    {
        private int _bars;

        public IReadOnlyList<string> Symbols { get; } = symbols;

        public int Step { get; } = step;

        public string Label { get; } = label;

        public override string Kind => "bar-counter";

        public override void OnBar(Bar bar) => _bars += Step;

        public override StrategyState GetState() => new BarCounterState { Bars = _bars };

        public override void Restore(StrategyState state) => _bars = ((BarCounterState)state).Bars;
    }
}
