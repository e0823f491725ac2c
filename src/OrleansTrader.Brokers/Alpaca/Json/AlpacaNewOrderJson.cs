using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

/// <summary>Body of POST /v2/orders. Decimals are written as invariant strings, exactly as given.</summary>
internal sealed record AlpacaNewOrderJson
{
    [JsonPropertyName("symbol")] public required string Symbol { get; init; }
    [JsonPropertyName("qty")] public required string Qty { get; init; }
    [JsonPropertyName("side")] public required string Side { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("time_in_force")] public required string TimeInForce { get; init; }
    [JsonPropertyName("limit_price")] public string? LimitPrice { get; init; }
    [JsonPropertyName("stop_price")] public string? StopPrice { get; init; }
    [JsonPropertyName("trail_price")] public string? TrailPrice { get; init; }
    [JsonPropertyName("trail_percent")] public string? TrailPercent { get; init; }
    [JsonPropertyName("extended_hours")] public bool ExtendedHours { get; init; }
    [JsonPropertyName("client_order_id")] public required string ClientOrderId { get; init; }
    [JsonPropertyName("order_class")] public string? OrderClass { get; init; }
    [JsonPropertyName("take_profit")] public AlpacaTakeProfitJson? TakeProfit { get; init; }
    [JsonPropertyName("stop_loss")] public AlpacaStopLossJson? StopLoss { get; init; }
}
