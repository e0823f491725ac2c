namespace OrleansTrader.Gateway.Contracts;

/// <summary>POST /api/accounts/{accountId}/orders. Enums are strings (side "buy"/"sell", type "market"/"limit"/...).</summary>
public sealed record PlaceOrderRequest
{
    public string? ClientOrderId { get; init; }

    public string? Symbol { get; init; }

    public string? Side { get; init; }

    public string? Type { get; init; }

    public decimal? Quantity { get; init; }

    public decimal? LimitPrice { get; init; }

    public decimal? StopPrice { get; init; }

    public decimal? TrailPrice { get; init; }

    public decimal? TrailPercent { get; init; }

    public string? TimeInForce { get; init; }

    public string? OrderClass { get; init; }

    public ExitLegRequest? TakeProfit { get; init; }

    public ExitLegRequest? StopLoss { get; init; }

    public bool? ExtendedHours { get; init; }
}
