using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

public sealed class SmaCrossoverStrategyTests
{
    // SMA(2) vs SMA(3): death cross at bar 3, golden at 6, death at 9, golden at 12 (bar 8 touches: fast = slow).
    private static readonly decimal[] Closes = [10m, 10m, 10m, 9m, 8m, 9m, 11m, 12m, 10m, 8m, 7m, 8m, 9m];

    [Fact]
    public void OnBar_GoesLongOnGoldenCross_AndFlatOnDeathCross()
    {
        var harness = new StrategyHarness(Create(allowShort: false));

        harness.Feed(Closes);

        Assert.Equal([(6, OrderSide.Buy, 10m), (9, OrderSide.Sell, 10m), (12, OrderSide.Buy, 10m)], harness.Summary());
        Assert.Equal("golden cross: SMA(2) 10 > SMA(3) 9.3333", harness.Intents[0].Intent.Reason);
        Assert.StartsWith("death cross", harness.Intents[1].Intent.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OnBar_FlipsBetweenLongAndShort_WhenShortingIsAllowed()
    {
        var harness = new StrategyHarness(Create(allowShort: true));

        harness.Feed(Closes);

        Assert.Equal(
            [(3, OrderSide.Sell, 10m), (6, OrderSide.Buy, 20m), (9, OrderSide.Sell, 20m), (12, OrderSide.Buy, 20m)],
            harness.Summary());
        Assert.Equal(10m, harness.Context.GetPosition("SPY").Quantity);
    }

    [Fact]
    public void OnBar_SubmitsNoDuplicateEntry_WhileTheEntryOrderIsOpen()
    {
        var harness = new StrategyHarness(Create(allowShort: false)) { AutoFill = false };
        harness.Feed(Closes.Take(9));
        var entry = Assert.Single(harness.Intents).Intent;

        harness.Fill(entry, 12m);
        harness.Feed(Closes.Skip(9));

        Assert.Equal([(6, OrderSide.Buy, 10m), (9, OrderSide.Sell, 10m)], harness.Summary());
    }

    [Fact]
    public void OnBar_RetriesTheTarget_AfterAnExpiredOrder_ButNotAfterARejection()
    {
        var expired = new StrategyHarness(Create(allowShort: false)) { AutoFill = false };
        expired.Feed(Closes.Take(7));
        expired.Settle(expired.Intents[0].Intent, OrderStatus.Expired);
        expired.Feed(Closes[7]);

        var rejected = new StrategyHarness(Create(allowShort: false)) { AutoFill = false };
        rejected.Feed(Closes.Take(7));
        rejected.Settle(rejected.Intents[0].Intent, OrderStatus.Rejected);
        rejected.Feed(Closes[7]);

        Assert.Equal([(6, OrderSide.Buy, 10m), (7, OrderSide.Buy, 10m)], expired.Summary());
        Assert.Equal([(6, OrderSide.Buy, 10m)], rejected.Summary());
    }

    [Fact]
    public void OnBar_IgnoresOtherSymbols()
    {
        var strategy = Create(allowShort: false);
        var context = new StrategyContext("strat", ["SPY", "QQQ"], StrategyHarness.T0);
        strategy.OnStart(context);

        foreach (var (close, i) in Closes.Select((c, i) => (c, i)))
        {
            strategy.OnBar(StrategyHarness.BarAt(i, close, "QQQ"));
        }

        Assert.Empty(context.DrainIntents());
        Assert.Equal(0, ((Domain.Indicators.SimpleMovingAverage)context.Indicators["fast"]).Samples);
    }

    [Fact]
    public void OnStart_RegistersItsIndicators()
    {
        var harness = new StrategyHarness(Create(allowShort: false));
        harness.Feed(Closes.Take(3));

        Assert.True(harness.Context.Indicators["slow"].IsReady);
        Assert.Equal(3, harness.Context.Indicators["fast"].Samples);
    }

    [Fact]
    public void Constructor_Throws_NamingTheBadParameters()
    {
        var error = Assert.Throws<StrategyParameterException>(() => new SmaCrossoverStrategy(new SmaCrossoverParameters
        {
            Symbol = "SPY",
            Quantity = 0m,
            FastPeriod = 5,
            SlowPeriod = 5,
        }));

        Assert.Equal(["quantity", "slowPeriod"], error.Errors.Select(e => e.Parameter));
        Assert.Equal("quantity", error.ParamName);
    }

    private static SmaCrossoverStrategy Create(bool allowShort) => new(new SmaCrossoverParameters
    {
        Symbol = "SPY",
        Quantity = 10m,
        FastPeriod = 2,
        SlowPeriod = 3,
        AllowShort = allowShort,
    });
}
