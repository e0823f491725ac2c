using System.Globalization;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Domain.Risk.Checks;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

/// <summary>
/// Orders at the edges of the NYSE sessions, in New York wall-clock time written with its own UTC offset (EST -5, EDT -4),
/// so each case states what a trader in New York sees and the calendar's own time-zone conversion is checked, not reused.
/// </summary>
public sealed class SessionBoundaryTests
{
    private static readonly NyseCalendar Nyse = NyseCalendar.Instance;

    /// <summary>New York wall-clock time as "yyyy-MM-dd HH:mm" with the offset in force then (-5 EST, -4 EDT).</summary>
    private static DateTimeOffset NewYork(string local, int offset) =>
        new(DateTime.ParseExact(local, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), TimeSpan.FromHours(offset));

    // Regular 09:30-16:00, extended 04:00-20:00, both half-open; Monday 2026-03-09 is the first EDT session (the clocks
    // went forward on Sunday 2026-03-08), Friday 2026-03-06 the last EST one, Monday 2026-11-02 the first EST one again.
    [Theory]
    [InlineData("2026-03-09 03:59", -4, false, false)]
    [InlineData("2026-03-09 04:00", -4, false, true)]
    [InlineData("2026-03-09 09:29", -4, false, true)]
    [InlineData("2026-03-09 09:30", -4, true, true)]
    [InlineData("2026-03-09 15:59", -4, true, true)]
    [InlineData("2026-03-09 16:00", -4, false, true)]
    [InlineData("2026-03-09 19:59", -4, false, true)]
    [InlineData("2026-03-09 20:00", -4, false, false)]
    [InlineData("2026-03-06 09:29", -5, false, true)]
    [InlineData("2026-03-06 09:30", -5, true, true)]
    [InlineData("2026-03-06 15:59", -5, true, true)]
    [InlineData("2026-03-06 16:00", -5, false, true)]
    [InlineData("2026-11-02 03:59", -5, false, false)]
    [InlineData("2026-11-02 04:00", -5, false, true)]
    [InlineData("2026-11-02 09:30", -5, true, true)]
    [InlineData("2026-11-02 19:59", -5, false, true)]
    [InlineData("2026-11-02 20:00", -5, false, false)]
    [InlineData("2026-11-26 10:00", -5, false, false)] // Thanksgiving
    [InlineData("2026-11-27 12:59", -5, true, true)] // the day after: regular until 13:00, after-hours until 17:00
    [InlineData("2026-11-27 13:00", -5, false, true)]
    [InlineData("2026-11-27 16:59", -5, false, true)]
    [InlineData("2026-11-27 17:00", -5, false, false)]
    [InlineData("2026-11-28 10:00", -5, false, false)] // Saturday
    [InlineData("2026-03-08 10:00", -4, false, false)] // the Sunday the clocks change
    public void MarketClosed_AtEachSessionEdge_ForRegularAndExtendedHoursOrders(string local, int offset, bool regularOpen, bool extendedOpen)
    {
        var at = NewYork(local, offset);

        Assert.Equal(regularOpen ? null : RiskReasonCodes.MarketClosed, MarketHours(at, LimitOrder(OrderSide.Buy, 10m, 100m)));
        Assert.Equal(extendedOpen ? null : RiskReasonCodes.MarketClosed,
            MarketHours(at, LimitOrder(OrderSide.Buy, 10m, 100m) with { ExtendedHours = true }));

        // OPG and CLS orders are placed for an auction, not for the session now open.
        Assert.Null(MarketHours(at, LimitOrder(OrderSide.Buy, 10m, 100m) with { TimeInForce = TimeInForce.Opg }));
        Assert.Null(MarketHours(at, MarketOrder(OrderSide.Buy, 10m) with { TimeInForce = TimeInForce.Cls }));
    }

    // A DAY order works until the close of the session it is for: the one open when it is accepted, else the next one
    // (an order accepted after the close, overnight, on a weekend or a holiday is for the next session). With extended
    // hours it is for that day's after-hours session as well (Alpaca's rule); one accepted before 04:00 waits for 04:00.
    [Theory]
    [InlineData("2026-03-10 10:00", -4, false, "2026-03-10 16:00", -4)]
    [InlineData("2026-03-10 15:59", -4, false, "2026-03-10 16:00", -4)]
    [InlineData("2026-03-10 16:00", -4, false, "2026-03-11 16:00", -4)]
    [InlineData("2026-03-10 03:00", -4, false, "2026-03-10 16:00", -4)]
    [InlineData("2026-03-10 17:00", -4, true, "2026-03-10 20:00", -4)]
    [InlineData("2026-03-10 19:59", -4, true, "2026-03-10 20:00", -4)]
    [InlineData("2026-03-10 20:00", -4, true, "2026-03-11 20:00", -4)]
    [InlineData("2026-03-10 03:00", -4, true, "2026-03-10 20:00", -4)]
    [InlineData("2026-11-27 10:00", -5, false, "2026-11-27 13:00", -5)] // early close
    [InlineData("2026-11-27 13:00", -5, false, "2026-11-30 16:00", -5)]
    [InlineData("2026-11-27 14:00", -5, true, "2026-11-27 17:00", -5)]
    [InlineData("2026-11-26 10:00", -5, false, "2026-11-27 13:00", -5)] // Thanksgiving: for the early-close Friday
    [InlineData("2026-11-25 20:00", -5, true, "2026-11-27 17:00", -5)]
    [InlineData("2026-11-28 10:00", -5, true, "2026-11-30 20:00", -5)] // Saturday
    [InlineData("2026-03-06 17:00", -5, false, "2026-03-09 16:00", -4)] // EST Friday, EDT Monday
    [InlineData("2026-03-07 12:00", -5, true, "2026-03-09 20:00", -4)]
    [InlineData("2026-10-30 17:00", -4, false, "2026-11-02 16:00", -5)] // EDT Friday, EST Monday
    [InlineData("2026-10-31 23:30", -4, true, "2026-11-02 20:00", -5)]
    [InlineData("2013-01-01 10:00", -5, false, "2013-01-02 16:00", -5)] // New Year's Day of the calendar's first year
    [InlineData("2013-01-01 10:00", -5, true, "2013-01-02 20:00", -5)]
    public void DayOrder_ExpiresAtTheCloseOfItsSession(string accepted, int acceptedOffset, bool extendedHours, string expires, int expiresOffset)
    {
        var request = LimitOrder(OrderSide.Buy, 10m, 100m) with { ExtendedHours = extendedHours };

        Assert.Equal(NewYork(expires, expiresOffset), OrderExpiry.For(request, NewYork(accepted, acceptedOffset), Nyse));
    }

    [Theory]
    [InlineData(TimeInForce.Gtc)]
    [InlineData(TimeInForce.Opg)]
    [InlineData(TimeInForce.Cls)]
    [InlineData(TimeInForce.Ioc)]
    public void OnlyDayOrders_HaveAnExpiryTime(TimeInForce timeInForce)
    {
        var request = LimitOrder(OrderSide.Buy, 10m, 100m) with { TimeInForce = timeInForce };

        Assert.Null(OrderExpiry.For(request, NewYork("2026-11-27 12:59", -5), Nyse));
    }

    private static string? MarketHours(DateTimeOffset now, OrderRequest request)
    {
        var context = new RiskContext(new RiskInput
        {
            Request = request,
            Now = now,
            TradingState = TradingState.Active,
            Limits = RiskLimits.Default,
            Instrument = Spy,
            Calendar = Nyse,
            Quote = Quote(99.99m, 100.01m, at: now),
            LastPrice = 100m,
            FeeModel = NoFees,
        });
        return new MarketHoursCheck().Check(context)?.ReasonCode;
    }
}
