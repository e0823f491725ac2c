namespace OrleansTrader.Brokers.Tests.Fakes;

/// <summary>The fake's mutable order; guarded by the server's lock.</summary>
internal sealed class FakeOrder
{
    public required string Id { get; init; }
    public required string ClientOrderId { get; init; }
    public required string Symbol { get; init; }
    public required string Side { get; init; }
    public required string Type { get; init; }
    public required string TimeInForce { get; set; }
    public required decimal Qty { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string OrderClass { get; init; } = "simple";
    public decimal FilledQty { get; set; }
    public decimal? FilledAvgPrice { get; set; }
    public string? LimitPrice { get; set; }
    public string? StopPrice { get; set; }
    public string? TrailPrice { get; set; }
    public string? TrailPercent { get; set; }
    public string? Hwm { get; set; }
    public bool ExtendedHours { get; init; }
    public required string Status { get; set; }
    public string? ReplacedBy { get; set; }
    public string? Replaces { get; init; }
    public string? ParentId { get; init; }
    public List<FakeOrder> Legs { get; } = [];

    /// <summary>Wire fields written over the modelled ones, e.g. an order_class this fake (and the adapter) does not model.</summary>
    public Dictionary<string, string> RawFields { get; } = [];

    public bool IsOpen => Status is not ("filled" or "canceled" or "expired" or "replaced" or "rejected");
}
