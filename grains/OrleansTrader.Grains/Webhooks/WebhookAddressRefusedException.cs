namespace OrleansTrader.Grains.Webhooks;

/// <summary>A webhook's host resolved only to addresses <see cref="WebhookAddressPolicy"/> refuses; nothing was connected to.</summary>
internal sealed class WebhookAddressRefusedException(string message) : IOException(message);
