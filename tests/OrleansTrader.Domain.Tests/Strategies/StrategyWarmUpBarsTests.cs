using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

/// <summary>
/// <see cref="IStrategy.WarmUpBars"/> is exact for the built-in kinds: no series makes a strategy act within that many
/// bars, and some series makes it act on the next one. A host that feeds that many therefore primes it fully.
/// </summary>
public sealed class StrategyWarmUpBarsTests
{
    public static TheoryData<string, int> Kinds() => new()
    {
        { StrategyKinds.SmaCrossover, 3 },
        { StrategyKinds.SmaCrossover, 30 },
        { StrategyKinds.RsiMeanReversion, 2 },
        { StrategyKinds.RsiMeanReversion, 14 },
        { StrategyKinds.BollingerBreakout, 2 },
        { StrategyKinds.BollingerBreakout, 20 },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void NoSeries_MakesAStrategyActWithinItsWarmUpBars(string kind, int period)
    {
        for (var seed = 1u; seed <= 200; seed++)
        {
            var harness = new StrategyHarness(Create(kind, period));
            harness.Feed(SyntheticSeries.RandomWalk(harness.Strategy.WarmUpBars, seed).Select((c, i) => c + (i % 3 == 0 ? 3m : -3m)));
            Assert.Empty(harness.Intents);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ASeries_MakesAStrategyActOnTheBarAfterItsWarmUpBars(string kind, int period)
    {
        var strategy = Create(kind, period);
        var warmUp = strategy.WarmUpBars;
        Assert.Equal(period, warmUp);
        var harness = new StrategyHarness(strategy);

        // A decline (the SMA's fast average under its slow one, the RSI at 0), or a flat line for the bands; then the
        // bar that breaks it: a jump for the crossover and the bands, one more fall for the RSI.
        var closes = Enumerable.Range(0, warmUp).Select(i => kind == StrategyKinds.BollingerBreakout ? 100m : 100m - i).ToList();
        closes.Add(kind == StrategyKinds.RsiMeanReversion ? 100m - warmUp : 120m);
        harness.Feed(closes);

        var (bar, intent) = Assert.Single(harness.Intents);
        Assert.Equal(warmUp, bar);
        Assert.Equal(Orders.OrderSide.Buy, intent.Side);
    }

    private static IStrategy Create(string kind, int period) => StrategyCatalog.Create(kind, kind == StrategyKinds.SmaCrossover
        ? new Dictionary<string, string> { ["symbol"] = "SPY", ["quantity"] = "1", ["fastPeriod"] = "2", ["slowPeriod"] = period.ToString(System.Globalization.CultureInfo.InvariantCulture) }
        : new Dictionary<string, string> { ["symbol"] = "SPY", ["quantity"] = "1", ["period"] = period.ToString(System.Globalization.CultureInfo.InvariantCulture) });
}
