using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

/// <summary>Body of PATCH /v2/orders/{id}; absent fields keep their value.</summary>
internal sealed record AlpacaReplaceOrderJson
{
    [JsonPropertyName("qty")] public string? Qty { get; init; }
    [JsonPropertyName("time_in_force")] public string? TimeInForce { get; init; }
    [JsonPropertyName("limit_price")] public string? LimitPrice { get; init; }
    [JsonPropertyName("stop_price")] public string? StopPrice { get; init; }
    [JsonPropertyName("trail")] public string? Trail { get; init; }
    [JsonPropertyName("client_order_id")] public string? ClientOrderId { get; init; }
}
