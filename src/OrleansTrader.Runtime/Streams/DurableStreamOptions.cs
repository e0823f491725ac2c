namespace OrleansTrader.Runtime;

/// <summary>Options of a durable stream provider: at-least-once delivery from an <see cref="IDurableStreamLog"/>.</summary>
public sealed class DurableStreamOptions
{
    /// <summary>Delivery attempts per event per consumer before a dead letter is written and the consumer moves on.</summary>
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>Wait before the first retry; doubles on each further retry, up to an hour (or this wait, when longer; at most about 49.7 days).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Events read from the log per query.</summary>
    public int ReadBatchSize { get; set; } = 256;

    /// <summary>How often the log is polled for events appended by other silos (events appended here wake consumers at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a consumer's stored checkpoint may trail its delivered progress: checkpoints are written at most this
    /// often, all dirty ones in one batch. A crash redelivers what was delivered in that window (at least once).
    /// <see cref="TimeSpan.Zero"/> writes the checkpoint after every delivered batch.
    /// </summary>
    public TimeSpan CheckpointFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Most events a consumer may be delivered past its stored checkpoint: at this many the cursor waits for a flush,
    /// which bounds what a crash redelivers per consumer.
    /// </summary>
    public int CheckpointMaxUnflushedEvents { get; set; } = 256;

    /// <summary>Recently appended events kept in memory per stream, so caught-up consumers get them without a log read.</summary>
    public int TailEventsPerStream { get; set; } = 256;

    /// <summary>Payload bytes the in-memory tails may hold in total; the least recently appended streams are dropped first.</summary>
    public long TailMaxBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// How long events are kept: older ones are deleted once every consumer of their stream has checkpointed past them
    /// (see <see cref="IDurableStreamLog.TrimAsync"/>). A subscriber that starts from the beginning of a stream, or a
    /// token older than the oldest event left, gets the events still retained.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the provider trims the log (deletes acknowledged events older than <see cref="Retention"/>).</summary>
    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromMinutes(10);
}
