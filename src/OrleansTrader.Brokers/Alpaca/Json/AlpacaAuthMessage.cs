using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

/// <summary>The current authentication message of /stream. Holds the secret: never log an instance.</summary>
internal sealed record AlpacaAuthMessage
{
    [JsonPropertyName("action")] public string Action { get; init; } = "auth";
    [JsonPropertyName("key")] public required string Key { get; init; }
    [JsonPropertyName("secret")] public required string Secret { get; init; }

    public override string ToString() => "AlpacaAuthMessage { redacted }";
}
