using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>A new webhook and its signing secret, which is shown here only: keep it to verify the signature header.</summary>
public sealed record CreatedWebhook(WebhookStatus Webhook, string Secret);
