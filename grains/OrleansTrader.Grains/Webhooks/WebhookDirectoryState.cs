namespace OrleansTrader.Grains.Webhooks;

internal sealed record WebhookDirectoryState
{
    public List<string> WebhookIds { get; set; } = [];
}
