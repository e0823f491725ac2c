using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

/// <summary>One FILL account activity. Its id is also the page token for the next page.</summary>
internal sealed record AlpacaFillActivityJson
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("activity_type")] public string? ActivityType { get; init; }
    [JsonPropertyName("transaction_time")] public DateTimeOffset? TransactionTime { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("price")] public string? Price { get; init; }
    [JsonPropertyName("qty")] public string? Qty { get; init; }
    [JsonPropertyName("cum_qty")] public string? CumQty { get; init; }
    [JsonPropertyName("leaves_qty")] public string? LeavesQty { get; init; }
    [JsonPropertyName("side")] public string? Side { get; init; }
    [JsonPropertyName("symbol")] public string? Symbol { get; init; }
    [JsonPropertyName("order_id")] public string? OrderId { get; init; }

    /// <summary>Not part of Alpaca's documented FILL object today (equities are commission-free); read when present.</summary>
    [JsonPropertyName("fee")] public string? Fee { get; init; }
}
