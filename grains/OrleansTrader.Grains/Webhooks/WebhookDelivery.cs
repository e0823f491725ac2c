using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Webhooks;

/// <summary>The body of one webhook request: the next events of the account, oldest first, as its event stream shows them.</summary>
internal sealed record WebhookDelivery
{
    /// <summary>"webhookId:first-last" (event sequences): the same events delivered again carry the same id.</summary>
    public required string DeliveryId { get; init; }

    public required string WebhookId { get; init; }

    public required string AccountId { get; init; }

    /// <summary>
    /// Set when events after the last delivered one were pruned from the account's history before they could go: the
    /// oldest event still kept. The receiver missed the ones before it and should reload what it keeps from the API.
    /// </summary>
    public long? TruncatedBefore { get; init; }

    public required IReadOnlyList<AccountEvent> Events { get; init; }
}
