namespace OrleansTrader.Gateway.Contracts;

/// <summary>POST .../webhooks/{webhookId}/rotate-secret: how long the old secret keeps signing beside the new one (default a day; 0 retires it at once).</summary>
public sealed record RotateWebhookSecretRequest
{
    public long? PreviousSecretValidForSeconds { get; init; }
}
