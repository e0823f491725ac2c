namespace OrleansTrader.Grains.Abstractions;

public enum WebhookState
{
    /// <summary>Delivering (a failing receiver is retried).</summary>
    Active,

    /// <summary>Failed for longer than the limit, or answered 410 Gone; nothing is delivered until it is resumed.</summary>
    Disabled,
}
