using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

internal sealed record AlpacaListenMessage
{
    [JsonPropertyName("action")] public string Action { get; init; } = "listen";
    [JsonPropertyName("data")] public required AlpacaListenDataJson Data { get; init; }
}
