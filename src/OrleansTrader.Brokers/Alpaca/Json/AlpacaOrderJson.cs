using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

/// <summary>Alpaca's order object. Numbers arrive as strings; they are parsed invariantly by <see cref="AlpacaMapper"/>.</summary>
internal sealed record AlpacaOrderJson
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("client_order_id")] public string? ClientOrderId { get; init; }
    [JsonPropertyName("created_at")] public DateTimeOffset? CreatedAt { get; init; }
    [JsonPropertyName("updated_at")] public DateTimeOffset? UpdatedAt { get; init; }
    [JsonPropertyName("submitted_at")] public DateTimeOffset? SubmittedAt { get; init; }
    [JsonPropertyName("filled_at")] public DateTimeOffset? FilledAt { get; init; }
    [JsonPropertyName("replaced_by")] public string? ReplacedBy { get; init; }
    [JsonPropertyName("replaces")] public string? Replaces { get; init; }
    [JsonPropertyName("symbol")] public string? Symbol { get; init; }
    [JsonPropertyName("notional")] public string? Notional { get; init; }
    [JsonPropertyName("qty")] public string? Qty { get; init; }
    [JsonPropertyName("filled_qty")] public string? FilledQty { get; init; }
    [JsonPropertyName("filled_avg_price")] public string? FilledAvgPrice { get; init; }
    [JsonPropertyName("order_class")] public string? OrderClass { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("order_type")] public string? OrderType { get; init; }
    [JsonPropertyName("side")] public string? Side { get; init; }
    [JsonPropertyName("time_in_force")] public string? TimeInForce { get; init; }
    [JsonPropertyName("limit_price")] public string? LimitPrice { get; init; }
    [JsonPropertyName("stop_price")] public string? StopPrice { get; init; }
    [JsonPropertyName("trail_price")] public string? TrailPrice { get; init; }
    [JsonPropertyName("trail_percent")] public string? TrailPercent { get; init; }
    [JsonPropertyName("hwm")] public string? Hwm { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("extended_hours")] public bool ExtendedHours { get; init; }
    [JsonPropertyName("legs")] public IReadOnlyList<AlpacaOrderJson>? Legs { get; init; }
}
