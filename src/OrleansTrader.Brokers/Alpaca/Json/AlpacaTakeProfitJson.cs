using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

internal sealed record AlpacaTakeProfitJson
{
    [JsonPropertyName("limit_price")] public required string LimitPrice { get; init; }
}
