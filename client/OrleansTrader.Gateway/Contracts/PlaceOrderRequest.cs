using System.Text.Json.Serialization;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>POST /api/accounts/{accountId}/orders. Enums are strings (side "buy"/"sell", type "market"/"limit"/...).</summary>
public sealed record PlaceOrderRequest : OrderRequestFields
{
    /// <summary>Your id for the order: a retry with it places nothing twice.</summary>
    [RequiredField]
    [JsonPropertyOrder(-1)]
    public string? ClientOrderId { get; init; }
}
