using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

internal sealed record AlpacaStopLossJson
{
    [JsonPropertyName("stop_price")] public required string StopPrice { get; init; }
    [JsonPropertyName("limit_price")] public string? LimitPrice { get; init; }
}
