using System.Text.Json.Serialization;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>
/// POST /api/accounts/{accountId}/orders/preview: the order a placement would send, its client order id optional (a type of
/// its own so that its schema does not require one).
/// </summary>
public sealed record PreviewOrderRequest : OrderRequestFields
{
    /// <summary>When given, checked as a placement's would be (a used one is DUPLICATE_CLIENT_ORDER_ID).</summary>
    [JsonPropertyOrder(-1)]
    public string? ClientOrderId { get; init; }
}
