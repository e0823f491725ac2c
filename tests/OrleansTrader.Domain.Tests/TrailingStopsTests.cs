using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Tests;

public sealed class TrailingStopsTests
{
    [Theory]
    [InlineData(OrderSide.Sell, 170.43, 2.0, null, 168.43)]
    [InlineData(OrderSide.Buy, 90.0, null, 5.0, 94.5)]
    [InlineData(OrderSide.Sell, 170.43, null, 0.5, 169.57785)]
    public void Level_SetsTheTrailOffTheMark_BelowForASell_AboveForABuy(OrderSide side, double mark, double? price, double? percent, double expected) =>
        Assert.Equal((decimal)expected, TrailingStops.Level(side, (decimal)mark, (decimal?)price, (decimal?)percent));

    [Fact]
    public void Level_IsNull_WithoutATrail() => Assert.Null(TrailingStops.Level(OrderSide.Sell, 100m, null, null));

    [Theory]
    [InlineData(OrderSide.Sell, 169.57785, 169.57)]
    [InlineData(OrderSide.Buy, 169.57785, 169.58)]
    [InlineData(OrderSide.Sell, 94.5, 94.5)]
    [InlineData(OrderSide.Buy, 0.123456, 0.1235)]
    [InlineData(OrderSide.Sell, 0.99995, 0.9999)]
    public void OnTick_RoundsToTheUsEquityGrid_AgainstTheOrder(OrderSide side, double level, double expected) =>
        Assert.Equal((decimal)expected, TrailingStops.OnTick(side, (decimal)level));
}
