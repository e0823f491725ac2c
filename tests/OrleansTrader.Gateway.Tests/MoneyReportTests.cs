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

    [Fact]
    public void AStrategysOwnPnl_IsReportedToTheCent_WhileItsPricesKeepTheirPrecision()
    {
        var status = new StrategyStatus
        {
            AccountId = "a", StrategyId = "s", Kind = "sma-crossover", Symbols = ["CENT"], Parameters = new Dictionary<string, string>(),
            BarInterval = TimeSpan.FromMinutes(1), Running = true, BarsSeen = 1, TicksSeen = 0, IntentsSent = 1, IntentsDenied = 0,
            IntentsSuppressed = 0, CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
            Positions =
            [
                new AccountPosition
                {
                    Symbol = "CENT", Quantity = 3m, AverageEntryPrice = 10.0133333m, MarketPrice = 10.0155m, MarketValue = 30.0465m,
                    UnrealizedPnl = 0.0066001m, RealizedPnl = 1.234567m, FeesPaid = 0.0049m,
                },
            ],
            RealizedPnl = 1.234567m,
            FeesPaid = 0.0049m,
            UnrealizedPnl = 0.0066001m,
        };

        var reported = MoneyReport.Round(status);

        Assert.Equal((1.23m, 0.00m, 0.01m), (reported.RealizedPnl, reported.FeesPaid, reported.UnrealizedPnl));
        var position = Assert.Single(reported.Positions);
        Assert.Equal((30.05m, 0.01m, 1.23m, 0.00m), (position.MarketValue, position.UnrealizedPnl, position.RealizedPnl, position.FeesPaid));
        Assert.Equal((10.0133333m, 10.0155m), (position.AverageEntryPrice, position.MarketPrice));
    }
}
