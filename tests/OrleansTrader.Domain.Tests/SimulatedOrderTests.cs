using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

/// <summary><see cref="SimulatedOrder.IsFreshFrom"/> answers exactly what comparing with <see cref="SimulatedOrder.From"/> does.</summary>
public sealed class SimulatedOrderTests
{
    public static TheoryData<string> Orders() => ["market", "limit-day", "stop-gtc", "trailing", "expiring"];

    [Theory]
    [MemberData(nameof(Orders))]
    public void IsFreshFrom_AgreesWithFrom_ForTheFreshStateAndEveryChange(string kind)
    {
        var order = Build(kind);
        var fresh = SimulatedOrder.From(order);
        SimulatedOrder[] changed =
        [
            fresh with { Triggered = true },
            fresh with { WaterMark = 101m },
            fresh with { LeavesQuantity = fresh.LeavesQuantity - 1m },
            fresh with { LimitPrice = (fresh.LimitPrice ?? 0m) + 1m },
            fresh with { StopPrice = fresh.StopPrice is null ? 1m : null },
            fresh with { TrailPrice = fresh.TrailPrice is null ? 1m : null },
            fresh with { TrailPercent = 2m },
            fresh with { ExpiresAt = (fresh.ExpiresAt ?? T0).AddMinutes(1) },
            fresh with { TimeInForce = fresh.TimeInForce == TimeInForce.Day ? TimeInForce.Gtc : TimeInForce.Day },
            fresh with { Side = fresh.Side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy },
            fresh with { Type = fresh.Type == OrderType.Market ? OrderType.Limit : OrderType.Market },
        ];

        Assert.True(fresh.IsFreshFrom(order));
        Assert.True((fresh with { }).IsFreshFrom(order));
        foreach (var matching in changed)
        {
            Assert.Equal(matching == SimulatedOrder.From(order), matching.IsFreshFrom(order));
            Assert.False(matching.IsFreshFrom(order));
        }
    }

    [Fact]
    public void IsFreshFrom_ComparesDecimalsByValue_AsRecordEqualityDoes()
    {
        var order = Order.Create("o-1", LimitOrder(OrderSide.Buy, 10m, 100m), T0);
        var rescaled = SimulatedOrder.From(order) with { LimitPrice = 100.00m, LeavesQuantity = 10.0m };

        Assert.Equal(rescaled == SimulatedOrder.From(order), rescaled.IsFreshFrom(order));
        Assert.True(rescaled.IsFreshFrom(order));
    }

    private static Order Build(string kind)
    {
        var request = kind switch
        {
            "market" => MarketOrder(OrderSide.Buy, 5m),
            "limit-day" => LimitOrder(OrderSide.Sell, 5m, 101m) with { TimeInForce = TimeInForce.Day },
            "stop-gtc" => MarketOrder(OrderSide.Sell, 5m) with { Type = OrderType.Stop, StopPrice = 95m, TimeInForce = TimeInForce.Gtc },
            "trailing" => MarketOrder(OrderSide.Sell, 5m) with { Type = OrderType.TrailingStop, TrailPrice = 2m, TimeInForce = TimeInForce.Gtc },
            _ => LimitOrder(OrderSide.Buy, 5m, 99m) with { TimeInForce = TimeInForce.Day },
        };
        return Order.Create("o-" + kind, request, T0, kind == "expiring" ? T0.AddHours(6) : null);
    }
}
