using OrleansTrader.Domain.Orders;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

public sealed class OrderValidatorTests
{
    private static IEnumerable<string> Codes(OrderRequest request, Instruments.Instrument? instrument = null) =>
        OrderValidator.Validate(request, instrument ?? Spy).Select(e => e.Code);

    private static OrderRequest Bracket() => LimitOrder(OrderSide.Buy, 10m, 100m) with
    {
        OrderClass = OrderClass.Bracket,
        TakeProfit = new ExitLeg(LimitPrice: 110m),
        StopLoss = new ExitLeg(StopPrice: 95m),
    };

    [Fact]
    public void Validate_AcceptsWellFormedOrders()
    {
        Assert.Empty(Codes(MarketOrder(OrderSide.Buy, 10m)));
        Assert.Empty(Codes(LimitOrder(OrderSide.Sell, 10m, 0.5001m)));
        Assert.Empty(Codes(Bracket()));
        Assert.Empty(Codes(MarketOrder(OrderSide.Buy, 0.5m, "AAPL"), Fractional));
    }

    [Fact]
    public void Validate_PriceFieldsPerType()
    {
        Assert.Contains(OrderErrorCodes.LimitPriceRequired, Codes(MarketOrder(OrderSide.Buy, 1m) with { Type = OrderType.Limit }));
        Assert.Contains(OrderErrorCodes.LimitPriceNotAllowed, Codes(MarketOrder(OrderSide.Buy, 1m) with { LimitPrice = 1m }));
        Assert.Contains(OrderErrorCodes.StopPriceRequired, Codes(LimitOrder(OrderSide.Buy, 1m, 100m) with { Type = OrderType.StopLimit }));
        Assert.Contains(OrderErrorCodes.TrailRequired, Codes(MarketOrder(OrderSide.Sell, 1m) with { Type = OrderType.TrailingStop }));
        Assert.Contains(OrderErrorCodes.TrailRequired,
            Codes(MarketOrder(OrderSide.Sell, 1m) with { Type = OrderType.TrailingStop, TrailPrice = 1m, TrailPercent = 1m }));
        Assert.Contains(OrderErrorCodes.PriceNotPositive, Codes(LimitOrder(OrderSide.Buy, 1m, -1m)));
        Assert.Contains(OrderErrorCodes.PriceAboveMaximum, Codes(LimitOrder(OrderSide.Buy, 1m, 79_000_000_000_000m)));
    }

    [Fact]
    public void Validate_TickAlignment()
    {
        Assert.Contains(OrderErrorCodes.PriceNotTickAligned, Codes(LimitOrder(OrderSide.Buy, 1m, 100.005m)));
        Assert.Contains(OrderErrorCodes.PriceNotTickAligned, Codes(LimitOrder(OrderSide.Buy, 1m, 0.50005m)));
    }

    [Fact]
    public void Validate_QuantityRules()
    {
        Assert.Contains(OrderErrorCodes.QuantityNotPositive, Codes(MarketOrder(OrderSide.Buy, 0m)));
        Assert.Contains(OrderErrorCodes.FractionalNotAllowed, Codes(MarketOrder(OrderSide.Buy, 1.5m)));
        Assert.Contains(OrderErrorCodes.QuantityAboveMaximum, Codes(MarketOrder(OrderSide.Buy, 2_000_000m)));
        Assert.Contains(OrderErrorCodes.QuantityNotLotMultiple, Codes(MarketOrder(OrderSide.Buy, 150m), Spy with { LotSize = 100m, MinQuantity = 100m }));
        Assert.Contains(OrderErrorCodes.FractionalOrderShape,
            Codes(MarketOrder(OrderSide.Buy, 0.5m, "AAPL") with { TimeInForce = TimeInForce.Gtc }, Fractional));
    }

    [Fact]
    public void Validate_TimeInForceCombinations()
    {
        Assert.Contains(OrderErrorCodes.TimeInForceNotAllowed,
            Codes(MarketOrder(OrderSide.Buy, 1m) with { Type = OrderType.Stop, StopPrice = 100m, TimeInForce = TimeInForce.Opg }));
        Assert.Empty(Codes(LimitOrder(OrderSide.Buy, 1m, 100m) with { TimeInForce = TimeInForce.Cls }));
        Assert.Contains(OrderErrorCodes.TimeInForceNotAllowed,
            Codes(MarketOrder(OrderSide.Sell, 1m) with { Type = OrderType.TrailingStop, TrailPrice = 1m, TimeInForce = TimeInForce.Ioc }));
        Assert.Contains(OrderErrorCodes.ExtendedHoursNotAllowed, Codes(MarketOrder(OrderSide.Buy, 1m) with { ExtendedHours = true }));
        Assert.Contains(OrderErrorCodes.TimeInForceNotAllowed, Codes(Bracket() with { TimeInForce = TimeInForce.Ioc }));
    }

    [Fact]
    public void Validate_OrderClasses()
    {
        Assert.Contains(OrderErrorCodes.ExitLegsInvalid, Codes(Bracket() with { StopLoss = null }));
        Assert.Contains(OrderErrorCodes.ExitLegsInvalid, Codes(Bracket() with { TakeProfit = new ExitLeg(LimitPrice: 90m) }));
        Assert.Contains(OrderErrorCodes.ExitLegsInvalid, Codes(LimitOrder(OrderSide.Buy, 1m, 100m) with { TakeProfit = new ExitLeg(LimitPrice: 110m) }));
        Assert.Contains(OrderErrorCodes.ExitLegsInvalid, Codes(Bracket() with { OrderClass = OrderClass.Oto }));
        Assert.Empty(Codes(Bracket() with { OrderClass = OrderClass.Oto, StopLoss = null }));
        Assert.Contains(OrderErrorCodes.OrderClassNotAllowed, Codes(Bracket() with { OrderClass = OrderClass.Oco, Type = OrderType.Market, LimitPrice = null }));
        Assert.Empty(Codes(Bracket() with { OrderClass = OrderClass.Oco, Side = OrderSide.Sell, LimitPrice = 110m }));
        Assert.Contains(OrderErrorCodes.ExitLegsInvalid,
            Codes(Bracket() with { OrderClass = OrderClass.Oco, Side = OrderSide.Sell, TakeProfit = new ExitLeg(LimitPrice: 90m), StopLoss = new ExitLeg(StopPrice: 105m) }));
        Assert.Empty(Codes(Bracket() with { Side = OrderSide.Sell, TakeProfit = new ExitLeg(LimitPrice: 90m), StopLoss = new ExitLeg(StopPrice: 105m) }));
    }

    [Fact]
    public void Validate_ClientOrderIdAndSymbol()
    {
        Assert.Contains(OrderErrorCodes.ClientOrderIdInvalid, Codes(MarketOrder(OrderSide.Buy, 1m) with { ClientOrderId = "" }));
        Assert.Contains(OrderErrorCodes.ClientOrderIdInvalid, Codes(MarketOrder(OrderSide.Buy, 1m) with { ClientOrderId = new string('x', 129) }));
        Assert.Contains(OrderErrorCodes.SymbolInvalid, Codes(MarketOrder(OrderSide.Buy, 1m) with { Symbol = "spy" }));
        Assert.Contains(OrderErrorCodes.SymbolMismatch, Codes(MarketOrder(OrderSide.Buy, 1m) with { Symbol = "IBM" }));
    }
}
