using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

internal sealed record AlpacaPositionJson
{
    [JsonPropertyName("symbol")] public string? Symbol { get; init; }
    [JsonPropertyName("qty")] public string? Qty { get; init; }
    [JsonPropertyName("side")] public string? Side { get; init; }
    [JsonPropertyName("avg_entry_price")] public string? AvgEntryPrice { get; init; }
}
