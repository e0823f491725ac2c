using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

/// <summary>Every message on /stream: {"stream": name, "data": {...}}. Data is parsed once the stream name is known.</summary>
internal sealed record AlpacaStreamEnvelope
{
    [JsonPropertyName("stream")] public string? Stream { get; init; }
    [JsonPropertyName("data")] public JsonElement Data { get; init; }
}
