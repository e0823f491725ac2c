namespace OrleansTrader.Runtime;

/// <summary>Options of a durable stream provider: at-least-once delivery from an <see cref="IDurableStreamLog"/>.</summary>
public sealed class DurableStreamOptions
{
    /// <summary>Delivery attempts per event per consumer before a dead letter is written and the consumer moves on.</summary>
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>Wait before the first retry; doubles on each further retry.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Events read from the log per query.</summary>
    public int ReadBatchSize { get; set; } = 256;

    /// <summary>How often the log is polled for events appended by other silos (events appended here wake consumers at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
