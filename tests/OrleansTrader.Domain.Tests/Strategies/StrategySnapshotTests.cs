using System.Text.Json;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

public sealed class StrategySnapshotTests
{
    private static readonly decimal[] Closes = SyntheticSeries.RandomWalk(240);

    public static TheoryData<string> Kinds => new(StrategyKinds.All);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Run_IsDeterministic_IncludingClientOrderIds(string kind)
    {
        var first = new StrategyHarness(Create(kind));
        var second = new StrategyHarness(Create(kind));

        first.Feed(Closes);
        second.Feed(Closes);

        Assert.True(first.Intents.Count >= 4, $"{kind} produced only {first.Intents.Count} intents; the series should exercise it");
        Assert.Equal(first.Intents, second.Intents);
        Assert.Equal(
            Enumerable.Range(1, first.Intents.Count).Select(i => $"strat-{i}"),
            first.Intents.Select(i => i.Intent.ClientOrderId));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Restore_FromJsonSnapshot_ResumesIdentically_AtEverySplit(string kind)
    {
        var full = new StrategyHarness(Create(kind));
        full.Feed(Closes);
        var expected = full.Intents.Select(i => (i.Bar, i.Intent.ClientOrderId, i.Intent.Side, i.Intent.Quantity, i.Intent.Reason)).ToArray();

        for (var split = 0; split <= Closes.Length; split += 7)
        {
            var before = new StrategyHarness(Create(kind));
            before.Feed(Closes.Take(split));
            var json = JsonSerializer.Serialize(before.Strategy.GetState());

            var restored = Create(kind);
            restored.Restore(JsonSerializer.Deserialize<StrategyState>(json)!);
            var after = new StrategyHarness(restored, nextSequence: before.Context.NextSequence);
            var position = before.Context.GetPosition("SPY");
            after.Context.SetPosition("SPY", position.Quantity, position.AveragePrice);
            after.Feed(Closes.Skip(split));

            var actual = before.Intents
                .Concat(after.Intents.Select(i => (Bar: i.Bar + split, i.Intent)))
                .Select(i => (i.Bar, i.Intent.ClientOrderId, i.Intent.Side, i.Intent.Quantity, i.Intent.Reason))
                .ToArray();
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Snapshot_SerializesWithAKindDiscriminator()
    {
        var harness = new StrategyHarness(Create(StrategyKinds.RsiMeanReversion));
        harness.Feed(Closes.Take(20));

        var json = JsonSerializer.Serialize(harness.Strategy.GetState());

        Assert.StartsWith("{\"kind\":\"rsi-mean-reversion\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_Throws_ForAnotherKindsSnapshot_OrOtherPeriods()
    {
        var sma = Create(StrategyKinds.SmaCrossover);
        var rsiState = Create(StrategyKinds.RsiMeanReversion).GetState();
        var otherPeriods = new SmaCrossoverStrategy(new SmaCrossoverParameters { Symbol = "SPY", Quantity = 1m, FastPeriod = 4, SlowPeriod = 9 }).GetState();

        Assert.Throws<ArgumentException>(() => sma.Restore(rsiState));
        var error = Assert.Throws<ArgumentException>(() => sma.Restore(otherPeriods));
        Assert.Equal("fastPeriod", error.ParamName);
    }

    [Fact]
    public void Restore_Throws_AfterStart()
    {
        var harness = new StrategyHarness(Create(StrategyKinds.BollingerBreakout));

        Assert.Throws<InvalidOperationException>(() => harness.Strategy.Restore(harness.Strategy.GetState()));
    }

    private static IStrategy Create(string kind) => kind switch
    {
        StrategyKinds.SmaCrossover => new SmaCrossoverStrategy(new SmaCrossoverParameters { Symbol = "SPY", Quantity = 10m, FastPeriod = 5, SlowPeriod = 13, AllowShort = true }),
        StrategyKinds.RsiMeanReversion => new RsiMeanReversionStrategy(new RsiMeanReversionParameters { Symbol = "SPY", Quantity = 10m, Period = 6, Oversold = 35m, Overbought = 65m }),
        _ => new BollingerBreakoutStrategy(new BollingerBreakoutParameters { Symbol = "SPY", Quantity = 10m, Period = 10, K = 1.5m }),
    };
}
