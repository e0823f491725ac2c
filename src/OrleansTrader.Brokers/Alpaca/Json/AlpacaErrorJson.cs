using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

internal sealed record AlpacaErrorJson
{
    [JsonPropertyName("code")] public long? Code { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
}
