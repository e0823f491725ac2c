using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

internal sealed record AlpacaListenDataJson
{
    [JsonPropertyName("streams")] public IReadOnlyList<string> Streams { get; init; } = [];
}
