using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

/// <summary>Data of a trade_updates message. price, qty and execution_id are set on fill and partial_fill.</summary>
internal sealed record AlpacaTradeUpdateJson
{
    [JsonPropertyName("event")] public string? Event { get; init; }
    [JsonPropertyName("execution_id")] public string? ExecutionId { get; init; }
    [JsonPropertyName("order")] public AlpacaOrderJson? Order { get; init; }
    [JsonPropertyName("timestamp")] public DateTimeOffset? Timestamp { get; init; }
    [JsonPropertyName("price")] public string? Price { get; init; }
    [JsonPropertyName("qty")] public string? Qty { get; init; }
    [JsonPropertyName("position_qty")] public string? PositionQty { get; init; }
}
