using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Statistics;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Domain.Tests.Strategies;

namespace OrleansTrader.Domain.Tests.Backtesting;

public sealed class BacktesterTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    // The SMA(2)/SMA(3) series: golden cross at bar 6, death at 9, golden at 12. Opens are one below closes.
    private static readonly decimal[] Closes = [10m, 10m, 10m, 9m, 8m, 9m, 11m, 12m, 10m, 8m, 7m, 8m, 9m];

    [Fact]
    public void Run_FillsAtNextBarOpen_WithFeesAndPnlFromThePosition()
    {
        var result = Backtester.Run(Sma(allowShort: false), Bars(Closes), Options(BacktestFillPolicies.NextBarOpen));

        // bt-3, the last bar's buy, has no bar to fill on and is canceled at that bar's end; the strategy sends its target
        // again in reply (bt-4), sent at that end too, and canceled alike (a reply to that waits for a bar that never comes).
        Assert.Equal(["bt-1", "bt-2", "bt-3", "bt-4"], result.Intents.Select(i => i.ClientOrderId));
        Assert.Equal(
            [(OrderSide.Buy, 11m, T0.AddMinutes(7)), (OrderSide.Sell, 6m, T0.AddMinutes(10))],
            result.Executions.Select(e => (e.Side, e.Price, e.Timestamp)));
        Assert.Equal([OrderStatus.Filled, OrderStatus.Filled, OrderStatus.Canceled, OrderStatus.Canceled], result.OrderUpdates.Select(u => u.Status));
        var roundTrip = Assert.Single(result.RoundTrips);
        Assert.Equal(
            new RoundTripTrade
            {
                Symbol = "SPY",
                IsLong = true,
                Quantity = 10m,
                EntryTime = T0.AddMinutes(7),
                EntryPrice = 11m,
                ExitTime = T0.AddMinutes(10),
                ExitPrice = 6m,
                RealizedPnl = -50m,
                Fees = 2m,
            },
            roundTrip);
        Assert.Equal(-50m, result.Positions["SPY"].RealizedPnl);
        Assert.Equal(2m, result.TotalFees);
        Assert.Equal(948m, result.Cash);
        Assert.Equal(14, result.EquityCurve.Count);
        Assert.Equal(new EquityPoint(T0, 1_000m), result.EquityCurve[0]);
        Assert.Equal(new EquityPoint(T0.AddMinutes(8), 1_009m), result.EquityCurve[8]);
        Assert.Equal(new EquityPoint(T0.AddMinutes(13), 948m), result.EquityCurve[^1]);
    }

    [Fact]
    public void Run_FillsAtSignalBarClose_WhenThatIsThePolicy()
    {
        var result = Backtester.Run(Sma(allowShort: false), Bars(Closes), Options(BacktestFillPolicies.SignalBarClose));

        Assert.Equal(
            [(OrderSide.Buy, 11m, T0.AddMinutes(7)), (OrderSide.Sell, 8m, T0.AddMinutes(10)), (OrderSide.Buy, 9m, T0.AddMinutes(13))],
            result.Executions.Select(e => (e.Side, e.Price, e.Timestamp)));
        Assert.Equal(-30m, Assert.Single(result.RoundTrips).RealizedPnl);
        Assert.Equal(10m, result.Positions["SPY"].Quantity);
        Assert.Equal(1_000m - 110m - 1m + 80m - 1m - 90m - 1m, result.Cash);
        Assert.Equal(result.Cash + 90m, result.EquityCurve[^1].Equity);
    }

    [Fact]
    public void Run_EquityChange_EqualsRealizedPlusUnrealizedMinusFees()
    {
        var closes = SyntheticSeries.RandomWalk(300);
        var strategy = new SmaCrossoverStrategy(new SmaCrossoverParameters { Symbol = "SPY", Quantity = 7m, FastPeriod = 4, SlowPeriod = 11, AllowShort = true });

        var result = Backtester.Run(strategy, Bars(closes), Options(BacktestFillPolicies.NextBarOpen) with { Fee = input => input.Notional * 0.0005m });

        var position = result.Positions["SPY"];
        Assert.True(result.RoundTrips.Count >= 5);
        Assert.Equal(position.RealizedPnl, result.RoundTrips.Sum(t => t.RealizedPnl));
        Assert.Equal(result.TotalFees, result.Executions.Sum(e => e.Fee));
        Assert.Equal(
            position.RealizedPnl + position.UnrealizedPnl(closes[^1]) - result.TotalFees,
            result.EquityCurve[^1].Equity - 1_000m);
    }

    [Fact]
    public void Run_IsDeterministic()
    {
        var closes = SyntheticSeries.RandomWalk(200, seed: 7);

        var first = Backtester.Run(Rsi(), Bars(closes), Options(BacktestFillPolicies.NextBarOpen));
        var second = Backtester.Run(Rsi(), Bars(closes), Options(BacktestFillPolicies.NextBarOpen));

        Assert.Equal(first.Intents, second.Intents);
        Assert.Equal(first.Executions, second.Executions);
        Assert.Equal(first.EquityCurve, second.EquityCurve);
        Assert.NotEmpty(first.Executions);
    }

    [Fact]
    public void Run_FeedsItsResultToTheStatistics()
    {
        var result = Backtester.Run(Sma(allowShort: false), Bars(Closes), Options(BacktestFillPolicies.NextBarOpen));

        var report = result.ComputeStatistics(periodsPerYear: 98_280);

        Assert.Equal(1, report.TradeCount);
        Assert.Equal(-0.052m, report.TotalReturn);
        Assert.Equal(0m, report.ProfitFactor);
        Assert.Equal(0m, report.WinRate);
        Assert.Equal(-52m, report.AverageLoss);
    }

    [Fact]
    public void TheStatistics_MeasureFromTheInitialCash_EvenWhenTheFirstBarTrades()
    {
        // Buys 1 at the first bar's close of 10 with a fee of 1: equity 999 after that bar, 1,001 at the last close of 12.
        var result = Backtester.Run(new BuysOnFirstBarOf("SPY", "SPY"), Bars([10m, 10m, 12m]), Options(BacktestFillPolicies.SignalBarClose));

        var report = result.ComputeStatistics(periodsPerYear: 98_280);

        Assert.Equal(1_001m, result.EquityCurve[^1].Equity);
        Assert.Equal((0.001m, 0.001m), (report.TotalReturn, report.MaxDrawdown));
    }

    [Fact]
    public void Run_Throws_ForUnorderedBars_OrFillsBeforeTheSignal()
    {
        var bars = Bars(Closes);
        var unordered = bars.Reverse().ToArray();
        var early = Options((intent, signal, _) => new BacktestFill(signal.Close, signal.Start));

        Assert.Throws<ArgumentException>(() => Backtester.Run(Sma(allowShort: false), unordered, Options(BacktestFillPolicies.NextBarOpen)));
        Assert.Throws<InvalidOperationException>(() => Backtester.Run(Sma(allowShort: false), bars, early));
    }

    [Fact]
    public void NextBarOpen_FillsLimitAndStopOrders_ByTheNextBarsRange()
    {
        var signal = new Bar("SPY", T0, TimeSpan.FromMinutes(1), 100m, 100m, 100m, 100m, 1m);
        var next = new Bar("SPY", T0.AddMinutes(1), TimeSpan.FromMinutes(1), 101m, 103m, 98m, 102m, 1m);
        var policy = BacktestFillPolicies.NextBarOpen;

        Assert.Equal(new BacktestFill(99m, next.Start), policy(Intent(OrderSide.Buy, OrderType.Limit, limit: 99m), signal, next));
        Assert.Equal(new BacktestFill(101m, next.Start), policy(Intent(OrderSide.Buy, OrderType.Limit, limit: 101.5m), signal, next));
        Assert.Null(policy(Intent(OrderSide.Buy, OrderType.Limit, limit: 97m), signal, next));
        Assert.Equal(new BacktestFill(102.5m, next.Start), policy(Intent(OrderSide.Buy, OrderType.Stop, stop: 102.5m), signal, next));
        Assert.Equal(new BacktestFill(101m, next.Start), policy(Intent(OrderSide.Sell, OrderType.Stop, stop: 101.5m), signal, next));
        Assert.Null(policy(Intent(OrderSide.Sell, OrderType.Limit, limit: 104m), signal, next));
        Assert.Null(policy(Intent(OrderSide.Buy, OrderType.Market), signal, null));
    }

    [Fact]
    public void NextBarOpen_FillsALimitOnlyWhenTheBarTradesThroughIt_NotWhenItsLowOrHighIsTheLimit()
    {
        // The next bar opens at 101 and trades 98 to 103: a low or high exactly at the limit is a print at the limit,
        // which the paper exchange does not fill either.
        var signal = new Bar("SPY", T0, TimeSpan.FromMinutes(1), 100m, 100m, 100m, 100m, 1m);
        var next = new Bar("SPY", T0.AddMinutes(1), TimeSpan.FromMinutes(1), 101m, 103m, 98m, 102m, 1m);
        var policy = BacktestFillPolicies.NextBarOpen;

        Assert.Null(policy(Intent(OrderSide.Buy, OrderType.Limit, limit: 98m), signal, next));
        Assert.Null(policy(Intent(OrderSide.Sell, OrderType.Limit, limit: 103m), signal, next));
        Assert.Null(policy(Intent(OrderSide.Buy, OrderType.StopLimit, limit: 98m, stop: 100m), signal, next));
        Assert.Null(policy(Intent(OrderSide.Sell, OrderType.StopLimit, limit: 103m, stop: 102m), signal, next));
        Assert.Equal(new BacktestFill(98.01m, next.Start), policy(Intent(OrderSide.Buy, OrderType.Limit, limit: 98.01m), signal, next));
        Assert.Equal(new BacktestFill(102.99m, next.Start), policy(Intent(OrderSide.Sell, OrderType.Limit, limit: 102.99m), signal, next));
    }

    [Fact]
    public void StopLimitOrders_TriggerLikeStops_ThenFillWithinTheirLimit()
    {
        // The next bar opens at 101 and trades 98 to 103.
        var signal = new Bar("SPY", T0, TimeSpan.FromMinutes(1), 100m, 100m, 100m, 100m, 1m);
        var next = new Bar("SPY", T0.AddMinutes(1), TimeSpan.FromMinutes(1), 101m, 103m, 98m, 102m, 1m);
        var policy = BacktestFillPolicies.NextBarOpen;

        // Buy stops: reached at the stop within the bar, or already at the open.
        Assert.Equal(new BacktestFill(102m, next.Start), policy(Intent(OrderSide.Buy, OrderType.StopLimit, limit: 102.5m, stop: 102m), signal, next));
        Assert.Equal(new BacktestFill(101m, next.Start), policy(Intent(OrderSide.Buy, OrderType.StopLimit, limit: 101.5m, stop: 100m), signal, next));

        // Triggered at the open (101) above a 100.5 limit: fills at the limit, since the bar comes back down through it.
        Assert.Equal(new BacktestFill(100.5m, next.Start), policy(Intent(OrderSide.Buy, OrderType.StopLimit, limit: 100.5m, stop: 100m), signal, next));

        // Never reaches its stop, or gaps past a limit the bar never comes back to: no fill.
        Assert.Null(policy(Intent(OrderSide.Buy, OrderType.StopLimit, limit: 105m, stop: 104m), signal, next));
        Assert.Null(policy(Intent(OrderSide.Buy, OrderType.StopLimit, limit: 97m, stop: 96m), signal, next with { Low = 99m }));

        // Sell stops mirror them.
        Assert.Equal(new BacktestFill(99m, next.Start), policy(Intent(OrderSide.Sell, OrderType.StopLimit, limit: 98.5m, stop: 99m), signal, next));
        Assert.Equal(new BacktestFill(102.5m, next.Start), policy(Intent(OrderSide.Sell, OrderType.StopLimit, limit: 102.5m, stop: 103m), signal, next));

        // At the signal bar's close: beyond the stop and within the limit.
        var close = BacktestFillPolicies.SignalBarClose;
        Assert.Equal(new BacktestFill(100m, signal.End), close(Intent(OrderSide.Buy, OrderType.StopLimit, limit: 100.5m, stop: 99.5m), signal, next));
        Assert.Null(close(Intent(OrderSide.Buy, OrderType.StopLimit, limit: 99.8m, stop: 99.5m), signal, next));
        Assert.Null(close(Intent(OrderSide.Buy, OrderType.StopLimit, limit: 101m, stop: 100.5m), signal, next));
    }

    [Fact]
    public void Slippage_MovesEveryFillAgainstTheOrder_AndALimitFillNeverPastItsLimit()
    {
        // The same run as above with 50 bps: the buy at 11 fills at 11.055, the sell at 6 at 5.97.
        var result = Backtester.Run(Sma(allowShort: false), Bars(Closes), Options(BacktestFillPolicies.NextBarOpen) with { SlippageBps = 50m });

        Assert.Equal([(OrderSide.Buy, 11.055m), (OrderSide.Sell, 5.97m)], result.Executions.Select(e => (e.Side, e.Price)));
        Assert.Equal(10m * (5.97m - 11.055m), Assert.Single(result.RoundTrips).RealizedPnl);
        Assert.Equal(1_000m - 110.55m + 59.7m - 2m, result.Cash);

        // A buy limit at 9.03 fills at the next open, 9: slipped it would be 9.045, past the limit, so it fills at 9.03.
        var limited = Backtester.Run(new OneLimitBuy(9.03m), Bars(Closes), Options(BacktestFillPolicies.NextBarOpen) with { SlippageBps = 50m });
        Assert.Equal(9.03m, Assert.Single(limited.Executions).Price);
        Assert.Throws<ArgumentOutOfRangeException>(() => Backtester.Run(Sma(allowShort: false), Bars(Closes), Options(BacktestFillPolicies.NextBarOpen) with { SlippageBps = -1m }));
    }

    [Fact]
    public void Slippage_OfAHundredPercent_IsRefusedUpFront_NotASellFilledAtZero()
    {
        // 10,000 bps would fill every sell at 0, which no position can take: refused as an option, not a crash mid-run.
        var options = Options(BacktestFillPolicies.NextBarOpen) with { SlippageBps = 10_000m };

        Assert.Throws<ArgumentOutOfRangeException>(() => Backtester.Run(Sma(allowShort: false), Bars(Closes), options));
    }

    [Fact]
    public void Slippage_NeverMovesAStopLimitFillPastItsLimit()
    {
        // A buy stop-limit (stop 101, limit 101.5) triggers at 101 in the next bar and fills there; 100 bps would make it
        // 102.01, above the limit, so it fills at 101.5 (as the paper exchange's stop-limit, which acts as a limit).
        Bar[] bars = [Ohlc(0, 100m, 100m, 100m, 100m), Ohlc(1, 100m, 103m, 99m, 102m)];
        var strategy = new OneLimitBuy(101.5m, TimeInForce.Gtc, stop: 101m);

        var result = Backtester.Run(strategy, bars, Options(BacktestFillPolicies.NextBarOpen) with { SlippageBps = 100m });

        Assert.Equal(101.5m, Assert.Single(result.Executions).Price);
    }

    private static SmaCrossoverStrategy Sma(bool allowShort) =>
        new(new SmaCrossoverParameters { Symbol = "SPY", Quantity = 10m, FastPeriod = 2, SlowPeriod = 3, AllowShort = allowShort });

    private static RsiMeanReversionStrategy Rsi() =>
        new(new RsiMeanReversionParameters { Symbol = "SPY", Quantity = 10m, Period = 5, Oversold = 35m, Overbought = 60m });

    private static BacktestOptions Options(BacktestFillPolicy policy) => new()
    {
        StrategyId = "bt",
        InitialCash = 1_000m,
        FillPolicy = policy,
        Fee = _ => 1m,
    };

    private static Bar[] Bars(IEnumerable<decimal> closes) =>
        closes.Select((c, i) => new Bar("SPY", T0.AddMinutes(i), TimeSpan.FromMinutes(1), c - 1m, c, c - 1m, c, 1_000m)).ToArray();

    private static OrderIntent Intent(OrderSide side, OrderType type, decimal? limit = null, decimal? stop = null) => new()
    {
        StrategyId = "bt",
        ClientOrderId = "bt-1",
        Sequence = 1,
        Symbol = "SPY",
        Side = side,
        Quantity = 1m,
        Type = type,
        LimitPrice = limit,
        StopPrice = stop,
        TimeInForce = TimeInForce.Day,
        Reason = "test",
        CreatedAt = T0,
    };

    [Fact]
    public void ALimitOrderRests_UntilABarReachesIt_AsAtAVenue()
    {
        // Opens are one below closes: the buy limit at 7.5 from the first bar is reached by the fifth bar's open of 7.
        var result = Backtester.Run(new OneLimitBuy(7.5m), Bars(Closes), Options(BacktestFillPolicies.NextBarOpen));

        var fill = Assert.Single(result.Executions);
        Assert.Equal((7m, T0.AddMinutes(4)), (fill.Price, fill.Timestamp));
        Assert.Equal([OrderStatus.Filled], result.OrderUpdates.Select(u => u.Status));
    }

    [Fact]
    public void ADayOrderExpires_AtTheFirstBarOfTheNextUtcDate_AGtcOrderStays_AndAnIocOrderIsCanceledAtOnce()
    {
        // Three bars before midnight UTC, two after; nothing trades down to 1.
        var lateEvening = new DateTimeOffset(2024, 3, 1, 23, 57, 0, TimeSpan.Zero);
        var bars = Enumerable.Range(0, 5).Select(i => new Bar("SPY", lateEvening.AddMinutes(i), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m)).ToArray();

        var day = Backtester.Run(new OneLimitBuy(1m, TimeInForce.Day), bars, Options(BacktestFillPolicies.NextBarOpen));
        var expired = Assert.Single(day.OrderUpdates);
        Assert.Equal((OrderStatus.Expired, lateEvening.AddMinutes(3)), (expired.Status, expired.Timestamp));

        var gtc = Backtester.Run(new OneLimitBuy(1m, TimeInForce.Gtc), bars, Options(BacktestFillPolicies.NextBarOpen));
        Assert.Empty(gtc.OrderUpdates);
        Assert.Empty(gtc.Executions);

        var ioc = Backtester.Run(new OneLimitBuy(1m, TimeInForce.Ioc), bars, Options(BacktestFillPolicies.NextBarOpen));
        var canceled = Assert.Single(ioc.OrderUpdates);
        Assert.Equal((OrderStatus.Canceled, lateEvening.AddMinutes(1)), (canceled.Status, canceled.Timestamp));
    }

    [Fact]
    public void ARestingOrderTheStrategyCancels_IsCanceledAtTheEndOfThatBar_AndNeverFills()
    {
        // The buy limit at 7.5 would fill at the fifth bar's open; the strategy cancels it on the third bar.
        var strategy = new OneLimitBuy(7.5m, TimeInForce.Gtc, cancelOnBar: 3);

        var result = Backtester.Run(strategy, Bars(Closes), Options(BacktestFillPolicies.NextBarOpen));

        Assert.Empty(result.Executions);
        var canceled = Assert.Single(result.OrderUpdates);
        Assert.Equal((OrderStatus.Canceled, T0.AddMinutes(3), "canceled by the strategy"), (canceled.Status, canceled.Timestamp, canceled.Message));
        Assert.Equal([true, false], strategy.CancelAnswers);
    }

    [Fact]
    public void ASellTrailingStopByPrice_FollowsTheHighs_AndFillsAtItsLevel_OrAtTheOpenBelowIt()
    {
        // Trail 2 from the signal close of 100 (not its high of 101): the stop is 98, so the next bar's low of 98.5 misses it.
        // After bar 1 the mark is its high, 103 (stop 101): bar 2's low of 101.5 misses it. After bar 2 the mark is 106
        // (stop 104), and bar 3 opens at 105 and falls through it.
        Bar[] bars =
        [
            Ohlc(0, 100m, 101m, 99m, 100m),
            Ohlc(1, 100.5m, 103m, 98.5m, 102m),
            Ohlc(2, 102.5m, 106m, 101.5m, 105m),
            Ohlc(3, 105m, 105.5m, 103m, 103.5m),
            Ohlc(4, 103m, 104m, 100m, 101m),
        ];

        var result = Backtester.Run(new OneTrailingStop(OrderSide.Sell, trailPrice: 2m), bars, Options(BacktestFillPolicies.NextBarOpen));

        var fill = Assert.Single(result.Executions);
        Assert.Equal((OrderSide.Sell, 104m, T0.AddMinutes(3), Liquidity.Taker), (fill.Side, fill.Price, fill.Timestamp, fill.Liquidity));
        Assert.Equal([OrderStatus.Filled], result.OrderUpdates.Select(u => u.Status));
        Assert.Equal((OrderType.TrailingStop, 2m), (Assert.Single(result.Intents).Type, result.Intents[0].TrailPrice));

        // Bar 3 gapping down to open at 103, below the stop of 104: it fills at that open.
        bars[3] = Ohlc(3, 103m, 103.5m, 102m, 102.5m);
        var gapped = Backtester.Run(new OneTrailingStop(OrderSide.Sell, trailPrice: 2m), bars, Options(BacktestFillPolicies.NextBarOpen));
        Assert.Equal((103m, T0.AddMinutes(3)), (Assert.Single(gapped.Executions).Price, gapped.Executions[0].Timestamp));
    }

    [Fact]
    public void ABuyTrailingStopByPercent_FollowsTheLows()
    {
        // Trail 5% from the signal close of 100 (not its low of 99): the stop is 105, above the next bar's high of 104.5.
        // After bar 1 the mark is its low, 95 (stop 99.75): bar 2's high of 99.5 misses it. After bar 2 the mark is 90
        // (stop 94.5), and bar 3 opens at 93 and rises through it.
        Bar[] bars =
        [
            Ohlc(0, 100m, 101m, 99m, 100m),
            Ohlc(1, 98m, 104.5m, 95m, 96m),
            Ohlc(2, 92m, 99.5m, 90m, 91m),
            Ohlc(3, 93m, 96m, 92m, 95m),
            Ohlc(4, 95m, 97m, 94m, 96m),
        ];

        var result = Backtester.Run(new OneTrailingStop(OrderSide.Buy, trailPercent: 5m), bars, Options(BacktestFillPolicies.NextBarOpen));

        var fill = Assert.Single(result.Executions);
        Assert.Equal((OrderSide.Buy, 94.5m, T0.AddMinutes(3)), (fill.Side, fill.Price, fill.Timestamp));
        Assert.Equal([OrderStatus.Filled], result.OrderUpdates.Select(u => u.Status));
    }

    [Fact]
    public void AnOrderCanceledOnTheBarItWasSubmitted_NeverMeetsABar()
    {
        // Without the cancel the next bar's open of 90 would fill the stop (level 98).
        Bar[] bars = [Ohlc(0, 100m, 100m, 100m, 100m), Ohlc(1, 90m, 90m, 90m, 90m)];
        var strategy = new OneTrailingStop(OrderSide.Sell, trailPrice: 2m, cancelOnBar: 1);

        var result = Backtester.Run(strategy, bars, Options(BacktestFillPolicies.NextBarOpen));

        Assert.True(strategy.Canceled);
        Assert.Empty(result.Executions);
        var update = Assert.Single(result.OrderUpdates);
        Assert.Equal((OrderStatus.Canceled, T0.AddMinutes(1)), (update.Status, update.Timestamp));
        Assert.Single(result.Intents);
        Assert.Single(Backtester.Run(new OneTrailingStop(OrderSide.Sell, trailPrice: 2m), bars, Options(BacktestFillPolicies.NextBarOpen)).Executions);
    }

    [Fact]
    public void APercentTrail_FillsOnACent_RoundedAgainstTheOrder()
    {
        // Mark 170.43 less 0.5% is 169.57785: the sell stop stands at 169.57, and the next bar trades through it.
        Bar[] bars =
        [
            Ohlc(0, 170.40m, 170.45m, 170.30m, 170.43m),
            Ohlc(1, 170.20m, 170.25m, 169.50m, 169.60m),
        ];

        var result = Backtester.Run(new OneTrailingStop(OrderSide.Sell, trailPercent: 0.5m), bars, Options(BacktestFillPolicies.NextBarOpen));

        Assert.Equal(169.57m, Assert.Single(result.Executions).Price);
    }

    [Fact]
    public void ATrailingStopAtTheSignalClose_NeverFillsOnItsSignalBar_AndFillsAtTheFirstCloseAtItsLevel()
    {
        // Trail 2. The signal bar closes at 100 (stop 98; from its high of 103 it would be 101, above that close).
        // Bar 1: mark 104, stop 102, close 102.5. Bar 2: mark 106 from its own high, stop 104, close 104: it fills there.
        Bar[] bars =
        [
            Ohlc(0, 100m, 103m, 99m, 100m),
            Ohlc(1, 100m, 104m, 99m, 102.5m),
            Ohlc(2, 103m, 106m, 103m, 104m),
            Ohlc(3, 104m, 104m, 90m, 91m),
        ];

        var result = Backtester.Run(new OneTrailingStop(OrderSide.Sell, trailPrice: 2m), bars, Options(BacktestFillPolicies.SignalBarClose));

        var fill = Assert.Single(result.Executions);
        Assert.Equal((104m, T0.AddMinutes(3)), (fill.Price, fill.Timestamp));
        Assert.Equal([OrderStatus.Filled], result.OrderUpdates.Select(u => u.Status));
    }

    [Fact]
    public void ADayTrailingStopExpires_AtTheFirstBarOfTheNextUtcDate_AndTheStrategyCanCancelOne()
    {
        // Three flat bars at 10 before midnight UTC, two after; a trail of 5 never gets hit.
        var lateEvening = new DateTimeOffset(2024, 3, 1, 23, 57, 0, TimeSpan.Zero);
        var bars = Enumerable.Range(0, 5).Select(i => new Bar("SPY", lateEvening.AddMinutes(i), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m)).ToArray();

        var day = Backtester.Run(new OneTrailingStop(OrderSide.Sell, trailPrice: 5m, timeInForce: TimeInForce.Day), bars, Options(BacktestFillPolicies.NextBarOpen));
        var expired = Assert.Single(day.OrderUpdates);
        Assert.Equal((OrderStatus.Expired, lateEvening.AddMinutes(3)), (expired.Status, expired.Timestamp));

        var gtc = Backtester.Run(new OneTrailingStop(OrderSide.Sell, trailPrice: 5m), bars, Options(BacktestFillPolicies.NextBarOpen));
        Assert.Empty(gtc.OrderUpdates);
        Assert.Empty(gtc.Executions);

        var strategy = new OneTrailingStop(OrderSide.Sell, trailPrice: 5m, cancelOnBar: 3);
        var canceled = Backtester.Run(strategy, bars, Options(BacktestFillPolicies.NextBarOpen));
        Assert.Empty(canceled.Executions);
        var update = Assert.Single(canceled.OrderUpdates);
        Assert.Equal((OrderStatus.Canceled, lateEvening.AddMinutes(3), "canceled by the strategy"), (update.Status, update.Timestamp, update.Message));
        Assert.True(strategy.Canceled);
    }

    [Theory]
    [InlineData("AAA", "BBB")]
    [InlineData("BBB", "AAA")]
    public void AnOrderForAnotherSymbolThanTheBars_FillsOnItsOwnSymbolsBars(string seen, string traded)
    {
        // A pair strategy: seeing one symbol's first bar, it buys the other. AAA trades near 100, BBB near 50; the bars
        // of both start together (AAA's first in the run's order), so the order's bars are the traded symbol's own.
        var bars = Enumerable.Range(0, 3).SelectMany(m => new[]
        {
            new Bar("AAA", T0.AddMinutes(m), TimeSpan.FromMinutes(1), 100m + m, 100.5m + m, 99.5m + m, 100.25m + m, 1_000m),
            new Bar("BBB", T0.AddMinutes(m), TimeSpan.FromMinutes(1), 50m + m, 50.5m + m, 49.5m + m, 50.25m + m, 1_000m),
        }).ToArray();
        var price = traded == "AAA" ? 100m : 50m;

        var nextOpen = Backtester.Run(new BuysOnFirstBarOf(seen, traded), bars, Options(BacktestFillPolicies.NextBarOpen));
        var signalClose = Backtester.Run(new BuysOnFirstBarOf(seen, traded), bars, Options(BacktestFillPolicies.SignalBarClose));

        Assert.Equal((traded, price + 1m, T0.AddMinutes(1)), nextOpen.Executions.Select(e => (e.Symbol, e.Price, e.Timestamp)).Single());
        Assert.Equal((traded, price + 0.25m, T0.AddMinutes(1)), signalClose.Executions.Select(e => (e.Symbol, e.Price, e.Timestamp)).Single());
        // Cash less the cost and the fee of 1, plus the unit at the traded symbol's last close (price + 2.25).
        Assert.Equal(1_000.25m, nextOpen.EquityCurve[^1].Equity);
        Assert.Equal(1_001m, signalClose.EquityCurve[^1].Equity);
    }

    private static Bar Ohlc(int minute, decimal open, decimal high, decimal low, decimal close) =>
        new("SPY", T0.AddMinutes(minute), TimeSpan.FromMinutes(1), open, high, low, close, 1_000m);

    /// <summary>Buys 1 at a limit (a stop-limit with <paramref name="stop"/>) on its first bar, and does nothing else.</summary>
    private sealed class OneLimitBuy(decimal limit, TimeInForce timeInForce = TimeInForce.Day, int? cancelOnBar = null, decimal? stop = null) : IStrategy
    {
        private IStrategyContext? _context;
        private bool _sent;
        private int _bars;
        private OrderIntent? _order;

        /// <summary>What CancelOrder answered: for the open order, then for an id that is not one.</summary>
        public List<bool> CancelAnswers { get; } = [];

        public string Kind => "one-limit-buy";

        public void OnStart(IStrategyContext context) => _context = context;

        public void OnBar(Bar bar)
        {
            if (++_bars == cancelOnBar)
            {
                CancelAnswers.Add(_context!.CancelOrder(_order!.ClientOrderId));
                CancelAnswers.Add(_context.CancelOrder("no-such-order"));
            }

            if (!_sent)
            {
                _sent = true;
                _order = _context!.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 1m, Type = stop is null ? OrderType.Limit : OrderType.StopLimit,
                    LimitPrice = limit, StopPrice = stop, TimeInForce = timeInForce,
                    Reason = "test",
                });
            }
        }

        public void OnQuote(QuoteTick quote)
        {
        }

        public void OnTrade(TradeTick trade)
        {
        }

        public void OnFill(Execution execution)
        {
        }

        public void OnOrderUpdate(StrategyOrderUpdate update)
        {
        }

        public void OnStop()
        {
        }

        public StrategyState GetState() => new OneLimitBuyState(_sent);

        public void Restore(StrategyState state) => _sent = ((OneLimitBuyState)state).Sent;
    }

    /// <summary>Places one trailing stop for 1 (by price or by percent) on its first bar, and may cancel it on a later bar.</summary>
    private sealed class OneTrailingStop(
        OrderSide side, decimal? trailPrice = null, decimal? trailPercent = null, TimeInForce timeInForce = TimeInForce.Gtc, int? cancelOnBar = null) : StrategyBase
    {
        private int _bars;
        private OrderIntent? _order;

        /// <summary>What CancelOrder answered for the open order, if the strategy canceled it.</summary>
        public bool Canceled { get; private set; }

        public override string Kind => "one-trailing-stop";

        public override void OnBar(Bar bar)
        {
            _order ??= Context.SubmitOrder(new OrderIntentRequest
            {
                Symbol = bar.Symbol, Side = side, Quantity = 1m, Type = OrderType.TrailingStop, TrailPrice = trailPrice, TrailPercent = trailPercent,
                TimeInForce = timeInForce, Reason = "test",
            });
            if (++_bars == cancelOnBar)
            {
                Canceled = Context.CancelOrder(_order.ClientOrderId);
            }
        }

        public override StrategyState GetState() => new OneTrailingStopState(_order is not null);

        public override void Restore(StrategyState state)
        {
        }
    }

    /// <summary>Buys 1 of <paramref name="traded"/> at market on the first bar of <paramref name="seen"/>, and does nothing else.</summary>
    private sealed class BuysOnFirstBarOf(string seen, string traded) : StrategyBase
    {
        private bool _sent;

        public override string Kind => "buys-on-first-bar-of";

        public override void OnBar(Bar bar)
        {
            if (!_sent && bar.Symbol == seen)
            {
                _sent = true;
                Context.SubmitOrder(new OrderIntentRequest { Symbol = traded, Side = OrderSide.Buy, Quantity = 1m, Reason = "test" });
            }
        }

        public override StrategyState GetState() => new OneLimitBuyState(_sent);

        public override void Restore(StrategyState state)
        {
        }
    }

    private sealed record OneLimitBuyState(bool Sent) : StrategyState;

    private sealed record OneTrailingStopState(bool Sent) : StrategyState;
}
