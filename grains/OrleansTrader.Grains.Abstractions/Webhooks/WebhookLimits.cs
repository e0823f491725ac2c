namespace OrleansTrader.Grains.Abstractions;

/// <summary>Limits of webhook commands that callers check too (the gateway validates requests against them).</summary>
public static class WebhookLimits
{
    /// <summary>The longest a rotated-out secret keeps signing: long enough to roll out a receiver, short enough to retire a leaked one.</summary>
    public static readonly TimeSpan MaxPreviousSecretValidity = TimeSpan.FromDays(7);
}
