using OrleansTrader.Domain.Orders;
using OrleansTrader.Gateway.Apis;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Tests;

public sealed class MoneyReportTests
{
    [Fact]
    public void AFillEvent_IsReportedToTheCent_LikeTheFillsRoute_AndOtherEventsAreUntouched()
    {
        var fill = new AccountFill
        {
            Sequence = 3, ExecutionId = "x-1", OrderId = "O1", ClientOrderId = "c1", Symbol = "CENT", Side = OrderSide.Sell,
            Quantity = 1m, Price = 10.05m, Fee = 0.0049m, RealizedPnl = 0.033333333333m, Timestamp = DateTimeOffset.UnixEpoch,
        };
        var fillEvent = new AccountEvent { Sequence = 7, AccountId = "a", Timestamp = DateTimeOffset.UnixEpoch, Kind = AccountEventKind.Fill, Fill = fill };
        var breakerEvent = new AccountEvent { Sequence = 8, AccountId = "a", Timestamp = DateTimeOffset.UnixEpoch, Kind = AccountEventKind.BreakerChanged };

        var reported = MoneyReport.Round(fillEvent).Fill!;

        Assert.Equal(0.03m, reported.RealizedPnl);
        Assert.Equal(0.00m, reported.Fee);
        Assert.Equal(10.05m, reported.Price);
        Assert.Equal(0.033333333333m, fill.RealizedPnl);
        Assert.Same(breakerEvent, MoneyReport.Round(breakerEvent));
    }
}
