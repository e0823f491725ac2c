using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests;

/// <summary>
/// A DAY order resting in a backtest ends with its calendar's session: by default (always open) its UTC date, so the next
/// date's first bar does not fill it; on the NYSE calendar at the close in New York.
/// </summary>
public sealed class BacktestDayOrderTests
{
    [Fact]
    public void ARestingDayLimit_DoesNotFillAtTheNextUtcDatesOpen_AfterItsDayEnded()
    {
        // Three bars before midnight UTC at 10 (a buy limit at 5 never reached), then a bar after midnight opening at 4.
        var lateEvening = new DateTimeOffset(2024, 3, 1, 23, 57, 0, TimeSpan.Zero);
        var bars = new[]
        {
            new Bar("SPY", lateEvening, TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", lateEvening.AddMinutes(1), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", lateEvening.AddMinutes(2), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", lateEvening.AddMinutes(3), TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
            new Bar("SPY", lateEvening.AddMinutes(4), TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
        };

        var result = Backtester.Run(new DayLimitBuy(5m), bars, new BacktestOptions
        {
            StrategyId = "bt", InitialCash = 1_000m, FillPolicy = BacktestFillPolicies.NextBarOpen,
        });

        // The DAY order's day (2024-03-01 UTC) ended before the bar of 2024-03-02 opened: it expires there, unfilled.
        Assert.Empty(result.Executions);
        var update = Assert.Single(result.OrderUpdates);
        Assert.Equal(OrderStatus.Expired, update.Status);
    }

    [Fact]
    public void OnTheNyseCalendar_ADayLimit_ExpiresAtFourInNewYork_NotFilledByAfterHoursBarsOfTheSameUtcDate()
    {
        // 2024-07-01 (EDT): bars at 15:58 and 15:59 New York at 10, then after-hours bars from 16:00 (20:00 UTC, still
        // 1 July in UTC) at 4. The buy limit at 5 sent at 15:59 is a DAY order: its day closed at 16:00.
        var beforeClose = NyseCalendar.ToUtc(new DateOnly(2024, 7, 1), new TimeOnly(15, 58));
        var bars = new[]
        {
            new Bar("SPY", beforeClose, TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", beforeClose.AddMinutes(1), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", beforeClose.AddMinutes(2), TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
            new Bar("SPY", beforeClose.AddMinutes(3), TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
        };

        var result = Backtester.Run(new DayLimitBuy(5m), bars, NyseOptions());

        Assert.Empty(result.Executions);
        var update = Assert.Single(result.OrderUpdates);
        Assert.Equal((OrderStatus.Expired, beforeClose.AddMinutes(2)), (update.Status, update.Timestamp));
    }

    [Fact]
    public void OnTheNyseCalendar_ADayLimitSentAfterTheClose_IsGoodForTheNextSession_ThoughItsUtcDateEnds()
    {
        // 2024-01-09 (EST): a bar at 17:00 New York (22:00 UTC) sends the buy limit at 5, another at 17:01 stays at 10;
        // the next session opens on 10 January (a later UTC date) at 4. As at the paper exchange, an order accepted after
        // the close expires at the next session's close, so that session's open fills it.
        var afterClose = NyseCalendar.ToUtc(new DateOnly(2024, 1, 9), new TimeOnly(17, 0));
        var nextOpen = NyseCalendar.ToUtc(new DateOnly(2024, 1, 10), new TimeOnly(9, 30));
        var bars = new[]
        {
            new Bar("SPY", afterClose, TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", afterClose.AddMinutes(1), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", nextOpen, TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
            new Bar("SPY", nextOpen.AddMinutes(1), TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
        };

        var result = Backtester.Run(new DayLimitBuy(5m), bars, NyseOptions());

        var fill = Assert.Single(result.Executions);
        Assert.Equal((4m, nextOpen), (fill.Price, fill.Timestamp));
        Assert.Equal([OrderStatus.Filled], result.OrderUpdates.Select(u => u.Status));
    }

    [Fact]
    public void OnTheNyseCalendar_ADayLimitSentBeforeTheClose_DoesNotFillOnTheNextBar_WhenThatOpensAfterTheClose()
    {
        // 2024-07-01: the last bar with trades before the close is 15:50-15:55 New York; the next opens at 16:05 (after-hours)
        // at 4. The buy limit at 5 sent at 15:55 ends with the session at 16:00: the 16:05 bar neither fills nor keeps it.
        var signal = NyseCalendar.ToUtc(new DateOnly(2024, 7, 1), new TimeOnly(15, 50));
        var afterHours = NyseCalendar.ToUtc(new DateOnly(2024, 7, 1), new TimeOnly(16, 5));
        var bars = new[]
        {
            new Bar("SPY", signal, TimeSpan.FromMinutes(5), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", afterHours, TimeSpan.FromMinutes(5), 4m, 4m, 4m, 4m, 1m),
            new Bar("SPY", afterHours.AddMinutes(5), TimeSpan.FromMinutes(5), 4m, 4m, 4m, 4m, 1m),
        };

        var result = Backtester.Run(new DayLimitBuy(5m), bars, NyseOptions());

        Assert.Empty(result.Executions);
        var update = Assert.Single(result.OrderUpdates);
        Assert.Equal((OrderStatus.Expired, afterHours), (update.Status, update.Timestamp));
    }

    [Fact]
    public void OnTheNyseCalendar_ADayLimitOnAnEarlyCloseDay_ExpiresAtOnePmInNewYork()
    {
        // 2024-07-03 closed at 13:00 New York (17:00 UTC). The buy limit at 5 sent at 12:59 ends then: bars from 13:00 at 4
        // (after-hours) neither fill it nor keep it until 16:00.
        var beforeClose = NyseCalendar.ToUtc(new DateOnly(2024, 7, 3), new TimeOnly(12, 58));
        var bars = new[]
        {
            new Bar("SPY", beforeClose, TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", beforeClose.AddMinutes(1), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", beforeClose.AddMinutes(2), TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
            new Bar("SPY", beforeClose.AddMinutes(3), TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
        };

        var result = Backtester.Run(new DayLimitBuy(5m), bars, NyseOptions());

        Assert.Empty(result.Executions);
        var update = Assert.Single(result.OrderUpdates);
        Assert.Equal((OrderStatus.Expired, new DateTimeOffset(2024, 7, 3, 17, 0, 0, TimeSpan.Zero)), (update.Status, update.Timestamp));
    }

    [Fact]
    public void OnTheNyseCalendar_BarsOutsideTheYearsItCovers_EndADayOrderWithItsUtcDate_InsteadOfFailingTheRun()
    {
        // 2010 is before the calendar's first year: the run still completes, and the DAY order ends with its UTC date.
        var lateEvening = new DateTimeOffset(2010, 3, 1, 23, 58, 0, TimeSpan.Zero);
        var bars = new[]
        {
            new Bar("SPY", lateEvening, TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", lateEvening.AddMinutes(1), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", lateEvening.AddMinutes(2), TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
            new Bar("SPY", lateEvening.AddMinutes(3), TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
        };

        var result = Backtester.Run(new DayLimitBuy(5m), bars, NyseOptions());

        Assert.Empty(result.Executions);
        var update = Assert.Single(result.OrderUpdates);
        Assert.Equal((OrderStatus.Expired, lateEvening.AddMinutes(2)), (update.Status, update.Timestamp));
    }

    private static BacktestOptions NyseOptions() => new()
    {
        StrategyId = "bt", InitialCash = 1_000m, FillPolicy = BacktestFillPolicies.NextBarOpen, Calendar = NyseCalendar.Instance,
    };

    private sealed class DayLimitBuy(decimal limit) : StrategyBase
    {
        private bool _sent;

        public override string Kind => "day-limit-buy";

        public override void OnBar(Bar bar)
        {
            if (!_sent)
            {
                _sent = true;
                Context.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 1m, Type = OrderType.Limit, LimitPrice = limit,
                    TimeInForce = TimeInForce.Day, Reason = "test",
                });
            }
        }

        public override StrategyState GetState() => new DayLimitBuyState(_sent);

        public override void Restore(StrategyState state) => _sent = ((DayLimitBuyState)state).Sent;
    }

    private sealed record DayLimitBuyState(bool Sent) : StrategyState;
}
