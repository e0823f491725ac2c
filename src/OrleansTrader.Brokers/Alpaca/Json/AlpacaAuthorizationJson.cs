using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

/// <summary>Data of the "authorization" message: status "authorized" or "unauthorized".</summary>
internal sealed record AlpacaAuthorizationJson
{
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("action")] public string? Action { get; init; }
}
