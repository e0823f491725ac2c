using System.ComponentModel;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>
/// The order an order placement and an order preview both describe. The prices an order type needs are not required by
/// the schema: the account refuses an order without them (a 422 whose causes name LIMIT_PRICE_REQUIRED and the like), as
/// their descriptions say.
/// </summary>
public abstract record OrderRequestFields
{
    [RequiredField]
    public string? Symbol { get; init; }

    [RequiredField]
    [AcceptedValues(typeof(OrderSide))]
    public string? Side { get; init; }

    [RequiredField]
    [AcceptedValues(typeof(OrderType))]
    public string? Type { get; init; }

    [RequiredField]
    public decimal? Quantity { get; init; }

    [Description("Required for a limit or stopLimit order, refused for any other type (422).")]
    public decimal? LimitPrice { get; init; }

    [Description("Required for a stop or stopLimit order, refused for any other type (422).")]
    public decimal? StopPrice { get; init; }

    [Description("A trailingStop order takes exactly one of trailPrice and trailPercent (422 otherwise).")]
    public decimal? TrailPrice { get; init; }

    [Description("A trailingStop order takes exactly one of trailPrice and trailPercent (422 otherwise).")]
    public decimal? TrailPercent { get; init; }

    [RequiredField]
    [AcceptedValues(typeof(TimeInForce))]
    public string? TimeInForce { get; init; }

    [AcceptedValues(typeof(OrderClass))]
    public string? OrderClass { get; init; }

    [Description("{limitPrice}; required for a bracket or oco order, an oto order takes this or stopLoss, a simple order neither (422 otherwise).")]
    public ExitLegRequest? TakeProfit { get; init; }

    [Description("{stopPrice, limitPrice?}; required for a bracket or oco order, an oto order takes this or takeProfit, a simple order neither (422 otherwise).")]
    public ExitLegRequest? StopLoss { get; init; }

    public bool? ExtendedHours { get; init; }
}
