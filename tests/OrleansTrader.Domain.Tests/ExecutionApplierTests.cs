using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

public sealed class ExecutionApplierTests
{
    private static (Order Order, AccountLedger Ledger) Setup()
    {
        var order = Order.Create("o1", LimitOrder(OrderSide.Buy, 100m, 10m), T0).Apply(OrderEvent.Accept, T0).GetValueOrThrow();
        var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m).Reserve("o1", "SPY", OrderSide.Buy, 100m, 1_000m).GetValueOrThrow();
        return (order, ledger);
    }

    [Fact]
    public void Apply_SameExecutionTwice_ChangesAccountOnce()
    {
        var (order, ledger) = Setup();
        var execution = Exec("e1", OrderSide.Buy, 40m, 10m, fee: 1m);

        var first = ExecutionApplier.Apply(order, ledger, execution).GetValueOrThrow();
        var second = ExecutionApplier.Apply(first.Order, first.Ledger, execution).GetValueOrThrow();

        Assert.False(first.IsDuplicate);
        Assert.True(second.IsDuplicate);
        Assert.Null(second.PositionFill);
        Assert.Same(first.Ledger, second.Ledger);
        Assert.Equal(9_599m, second.Ledger.Cash);
        Assert.Equal(40m, second.Ledger.PositionOf("SPY").Quantity);
        Assert.Equal(600m, second.Ledger.ReservedTotal);
    }

    [Fact]
    public void Apply_Overfill_LeavesOrderAndAccountUntouched()
    {
        var (order, ledger) = Setup();

        var result = ExecutionApplier.Apply(order, ledger, Exec("e1", OrderSide.Buy, 101m, 10m));

        Assert.Equal(FillErrorCodes.Overfill, result.Error?.Code);
        Assert.Equal(10_000m, ledger.Cash);
    }

    [Fact]
    public void Apply_CompleteFillBelowLimit_ReleasesReservationEntirely()
    {
        var (order, ledger) = Setup();

        var result = ExecutionApplier.Apply(order, ledger, Exec("e1", OrderSide.Buy, 100m, 9m)).GetValueOrThrow();

        Assert.Equal(OrderStatus.Filled, result.Order.Status);
        Assert.Empty(result.Ledger.Reservations);
    }

    [Fact]
    public void OrderExpiry_DayOrdersExpireAtTheSessionClose()
    {
        var acceptedAfterClose = new DateTimeOffset(2026, 11, 25, 22, 0, 0, TimeSpan.Zero); // Wednesday before Thanksgiving

        Assert.Equal(new DateTimeOffset(2026, 11, 27, 18, 0, 0, TimeSpan.Zero),
            OrderExpiry.For(TimeInForce.Day, acceptedAfterClose, NyseCalendar.Instance));
        Assert.Null(OrderExpiry.For(TimeInForce.Gtc, acceptedAfterClose, NyseCalendar.Instance));
    }

    [Fact]
    public void OrderExpiry_ExtendedHoursDayOrdersExpireAtTheAfterHoursClose()
    {
        var request = LimitOrder(OrderSide.Buy, 1m, 100m) with { ExtendedHours = true };
        var eveningUtc = new DateTimeOffset(2026, 3, 10, 23, 0, 0, TimeSpan.Zero); // 19:00 EDT, after-hours
        var lateUtc = new DateTimeOffset(2026, 3, 11, 1, 0, 0, TimeSpan.Zero); // 21:00 EDT, previous UTC-date session over

        Assert.Equal(new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero), OrderExpiry.For(request, eveningUtc, NyseCalendar.Instance));
        Assert.Equal(new DateTimeOffset(2026, 3, 12, 0, 0, 0, TimeSpan.Zero), OrderExpiry.For(request, lateUtc, NyseCalendar.Instance));
        Assert.Equal(new DateTimeOffset(2026, 3, 11, 20, 0, 0, TimeSpan.Zero),
            OrderExpiry.For(request with { ExtendedHours = false }, lateUtc, NyseCalendar.Instance));
    }
}
