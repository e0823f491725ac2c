using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

/// <summary>One entry of DELETE /v2/orders' multi-status answer.</summary>
internal sealed record AlpacaCancelResultJson
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("status")] public int Status { get; init; }
}
