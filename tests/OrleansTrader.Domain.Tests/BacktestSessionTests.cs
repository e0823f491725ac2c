using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Domain.Tests.Bars;

namespace OrleansTrader.Domain.Tests;

/// <summary>
/// A strategy's orders are for the regular session only (they cannot ask for extended hours), as at the paper exchange
/// and Alpaca: on the NYSE calendar, pre-market and after-hours bars reach the strategy and mark equity but fill nothing;
/// a market order sent outside the session waits for the next session's first bar, as the paper exchange keeps it working.
/// </summary>
public sealed class BacktestSessionTests
{
    [Fact]
    public void OnTheNyseCalendar_AMarketOrderSentAfterHours_FillsAtTheNextSessionsFirstBar_NotTheNextAfterHoursBar()
    {
        // 2024-01-09 17:00 New York (after-hours) sends a market buy; the next bar is after-hours too (at 20); the next
        // session opens on 10 January at 30.
        var afterClose = NyseCalendar.ToUtc(new DateOnly(2024, 1, 9), new TimeOnly(17, 0));
        var nextOpen = NyseCalendar.ToUtc(new DateOnly(2024, 1, 10), new TimeOnly(9, 30));
        var bars = new[]
        {
            Minute(afterClose, 10m),
            Minute(afterClose.AddMinutes(1), 20m),
            Minute(nextOpen, 30m),
            Minute(nextOpen.AddMinutes(1), 31m),
        };
        var strategy = new SendsOnce(new OrderIntentRequest
        {
            Symbol = "SPY", Side = OrderSide.Buy, Quantity = 1m, Type = OrderType.Market, TimeInForce = TimeInForce.Day, Reason = "test",
        });

        var result = Backtester.Run(strategy, bars, NyseOptions(BacktestFillPolicies.NextBarOpen));

        var fill = Assert.Single(result.Executions);
        Assert.Equal((30m, nextOpen), (fill.Price, fill.Timestamp));
        // The strategy still saw the after-hours bars, and equity is marked at every bar's end (after the initial point).
        Assert.Equal(bars.Select(b => b.Start), strategy.Seen);
        Assert.Equal([bars[0].Start, .. bars.Select(b => b.End)], result.EquityCurve.Select(p => p.Timestamp));
    }

    [Fact]
    public void OnTheNyseCalendar_UnderSignalBarClose_AMarketOrderSentPreMarket_FillsAtTheFirstRegularBarsClose()
    {
        // 2024-07-01 (EDT): pre-market bars at 09:28 and 09:29 New York, then the session's first bars.
        var preMarket = NyseCalendar.ToUtc(new DateOnly(2024, 7, 1), new TimeOnly(9, 28));
        var bars = new[]
        {
            Minute(preMarket, 10m),
            Minute(preMarket.AddMinutes(1), 11m),
            Minute(preMarket.AddMinutes(2), 12m),
            Minute(preMarket.AddMinutes(3), 13m),
        };
        var strategy = new SendsOnce(new OrderIntentRequest
        {
            Symbol = "SPY", Side = OrderSide.Buy, Quantity = 1m, Type = OrderType.Market, TimeInForce = TimeInForce.Gtc, Reason = "test",
        });

        var result = Backtester.Run(strategy, bars, NyseOptions(BacktestFillPolicies.SignalBarClose));

        var fill = Assert.Single(result.Executions);
        Assert.Equal((12m, bars[2].End), (fill.Price, fill.Timestamp));
    }

    [Fact]
    public void OnTheNyseCalendar_AnIocMarketOrderSentAfterHours_IsCanceled_AsTheMarketIsClosed()
    {
        var afterClose = NyseCalendar.ToUtc(new DateOnly(2024, 1, 9), new TimeOnly(17, 0));
        var bars = new[] { Minute(afterClose, 10m), Minute(afterClose.AddMinutes(1), 20m) };
        var strategy = new SendsOnce(new OrderIntentRequest
        {
            Symbol = "SPY", Side = OrderSide.Buy, Quantity = 1m, Type = OrderType.Market, TimeInForce = TimeInForce.Ioc, Reason = "test",
        });

        var result = Backtester.Run(strategy, bars, NyseOptions(BacktestFillPolicies.NextBarOpen));

        Assert.Empty(result.Executions);
        var update = Assert.Single(result.OrderUpdates);
        Assert.Equal((OrderStatus.Canceled, "the market was closed (regular hours only)"), (update.Status, update.Message));
    }

    [Fact]
    public void OnTheNyseCalendar_AGtcLimit_RestsThroughAfterHoursBarsThatReachIt_AndFillsAtTheNextSessionsOpen()
    {
        // Sent at 15:58 New York (a buy limit at 5); the after-hours bars trade at 4, the next session opens at 4.5.
        var signal = NyseCalendar.ToUtc(new DateOnly(2024, 1, 9), new TimeOnly(15, 58));
        var nextOpen = NyseCalendar.ToUtc(new DateOnly(2024, 1, 10), new TimeOnly(9, 30));
        var bars = new[]
        {
            Minute(signal, 10m),
            Minute(signal.AddMinutes(1), 10m),
            Minute(signal.AddMinutes(2), 4m),
            Minute(signal.AddMinutes(3), 4m),
            Minute(nextOpen, 4.5m),
        };
        var strategy = new SendsOnce(new OrderIntentRequest
        {
            Symbol = "SPY", Side = OrderSide.Buy, Quantity = 1m, Type = OrderType.Limit, LimitPrice = 5m, TimeInForce = TimeInForce.Gtc, Reason = "test",
        });

        var result = Backtester.Run(strategy, bars, NyseOptions(BacktestFillPolicies.NextBarOpen));

        var fill = Assert.Single(result.Executions);
        Assert.Equal((4.5m, nextOpen), (fill.Price, fill.Timestamp));
    }

    [Fact]
    public void OnTheNyseCalendar_ATrailingStopsMark_DoesNotFollowAfterHoursBars()
    {
        // A sell trailing stop $1 under the mark, sent at 15:58 New York at 10; an after-hours bar at 20 would lift its
        // level to 19, so the next session at 15 would trigger it; in the session only, the mark reaches 15 (level 14).
        var signal = NyseCalendar.ToUtc(new DateOnly(2024, 1, 9), new TimeOnly(15, 58));
        var nextOpen = NyseCalendar.ToUtc(new DateOnly(2024, 1, 10), new TimeOnly(9, 30));
        var bars = new[]
        {
            Minute(signal, 10m),
            Minute(signal.AddMinutes(1), 10m),
            Minute(signal.AddMinutes(2), 20m),
            Minute(nextOpen, 15m),
            Minute(nextOpen.AddMinutes(1), 15m),
        };
        var strategy = new SendsOnce(new OrderIntentRequest
        {
            Symbol = "SPY", Side = OrderSide.Sell, Quantity = 1m, Type = OrderType.TrailingStop, TrailPrice = 1m, TimeInForce = TimeInForce.Gtc, Reason = "test",
        });

        var result = Backtester.Run(strategy, bars, NyseOptions(BacktestFillPolicies.NextBarOpen));

        Assert.Empty(result.Executions);
        Assert.Empty(result.OrderUpdates);
    }

    [Fact]
    public void OnTheNyseCalendar_DailyBarsOfTradingDays_AreInSession()
    {
        // Daily bars start at midnight UTC, before the open: a bar overlapping the session fills, so a daily backtest still trades.
        var monday = new DateTimeOffset(2024, 1, 8, 0, 0, 0, TimeSpan.Zero);
        var bars = new[]
        {
            new Bar("SPY", monday, TimeSpan.FromDays(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", monday.AddDays(1), TimeSpan.FromDays(1), 11m, 11m, 11m, 11m, 1m),
        };
        var strategy = new SendsOnce(new OrderIntentRequest
        {
            Symbol = "SPY", Side = OrderSide.Buy, Quantity = 1m, Type = OrderType.Market, TimeInForce = TimeInForce.Day, Reason = "test",
        });

        var result = Backtester.Run(strategy, bars, NyseOptions(BacktestFillPolicies.NextBarOpen));

        var fill = Assert.Single(result.Executions);
        Assert.Equal((11m, monday.AddDays(1)), (fill.Price, fill.Timestamp));
    }

    [Fact]
    public void OnTheNyseCalendar_BarsOutsideTheYearsItCovers_AreAllInSession_InsteadOfFailingTheRun()
    {
        // 2010 is before the calendar's first year: 22:00 UTC fills as on the always-open calendar.
        var evening = new DateTimeOffset(2010, 3, 1, 22, 0, 0, TimeSpan.Zero);
        var bars = new[] { Minute(evening, 10m), Minute(evening.AddMinutes(1), 20m) };
        var strategy = new SendsOnce(new OrderIntentRequest
        {
            Symbol = "SPY", Side = OrderSide.Buy, Quantity = 1m, Type = OrderType.Market, TimeInForce = TimeInForce.Day, Reason = "test",
        });

        var result = Backtester.Run(strategy, bars, NyseOptions(BacktestFillPolicies.NextBarOpen));

        var fill = Assert.Single(result.Executions);
        Assert.Equal((20m, evening.AddMinutes(1)), (fill.Price, fill.Timestamp));
    }

    [Fact]
    public void OnSpysMinuteBarsWithExtendedHours_OnTheNyseCalendar_NoFillFallsOutsideTheRegularSession()
    {
        var root = MarketDataFolder.Find();
        var path = root is null ? null : Path.Combine(root, "minute", "SPY", "2013-10-07.trades.csv");
        if (path is null || !File.Exists(path))
        {
            Assert.Skip("Shared market data not found (set ORLEANSTRADER_MARKET_DATA or place shared/data/market beside the repository).");
        }

        var bars = MarketCsv.ReadMinuteBars(path, "SPY").ToList();
        // Flips between long and flat with a market order on every bar, from the first pre-market bar to the last after-hours one.
        var strategy = new FlipsEveryBar();

        var result = Backtester.Run(strategy, bars, NyseOptions(BacktestFillPolicies.NextBarOpen));

        // 2013-10-07 is in EDT: the session is 13:30-20:00 UTC.
        var open = new DateTimeOffset(2013, 10, 7, 13, 30, 0, TimeSpan.Zero);
        var close = new DateTimeOffset(2013, 10, 7, 20, 0, 0, TimeSpan.Zero);
        Assert.True(bars.Count(b => b.Start < open || b.Start >= close) > 100, "the file should hold extended-hours bars");
        Assert.True(result.Executions.Count > 300, $"only {result.Executions.Count} fills");
        Assert.All(result.Executions, e => Assert.InRange(e.Timestamp, open, close.AddTicks(-1)));
        Assert.Equal(bars.Count, strategy.Bars);
    }

    private static Bar Minute(DateTimeOffset start, decimal price) => new("SPY", start, TimeSpan.FromMinutes(1), price, price, price, price, 1m);

    private static BacktestOptions NyseOptions(BacktestFillPolicy policy) => new()
    {
        StrategyId = "bt", InitialCash = 1_000m, FillPolicy = policy, Calendar = NyseCalendar.Instance,
    };

    private sealed class SendsOnce(OrderIntentRequest request) : StrategyBase
    {
        public List<DateTimeOffset> Seen { get; } = [];

        public override string Kind => "sends-once";

        public override void OnBar(Bar bar)
        {
            if (Seen.Count == 0)
            {
                Context.SubmitOrder(request);
            }

            Seen.Add(bar.Start);
        }

        public override StrategyState GetState() => new CountState(Seen.Count);

        public override void Restore(StrategyState state)
        {
        }
    }

    private sealed class FlipsEveryBar : StrategyBase
    {
        private bool _working;

        public int Bars { get; private set; }

        public override string Kind => "flips-every-bar";

        public override void OnBar(Bar bar)
        {
            Bars++;
            if (_working)
            {
                return;
            }

            _working = true;
            Context.SubmitOrder(new OrderIntentRequest
            {
                Symbol = bar.Symbol, Side = Context.GetPosition(bar.Symbol).Quantity > 0m ? OrderSide.Sell : OrderSide.Buy,
                Quantity = 1m, Type = OrderType.Market, TimeInForce = TimeInForce.Day, Reason = "flip",
            });
        }

        public override void OnOrderUpdate(StrategyOrderUpdate update)
        {
            if (update.Status is OrderStatus.Filled or OrderStatus.Canceled or OrderStatus.Expired)
            {
                _working = false;
            }
        }

        public override StrategyState GetState() => new CountState(Bars);

        public override void Restore(StrategyState state) => Bars = ((CountState)state).Count;
    }

    private sealed record CountState(int Count) : StrategyState;
}
