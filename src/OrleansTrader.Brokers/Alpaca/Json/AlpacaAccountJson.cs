using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

/// <summary>The fields of GET /v2/account this adapter reads. The account number is deliberately not read.</summary>
internal sealed record AlpacaAccountJson
{
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("currency")] public string? Currency { get; init; }
    [JsonPropertyName("cash")] public string? Cash { get; init; }
    [JsonPropertyName("buying_power")] public string? BuyingPower { get; init; }
    [JsonPropertyName("equity")] public string? Equity { get; init; }
    [JsonPropertyName("trading_blocked")] public bool TradingBlocked { get; init; }
}
