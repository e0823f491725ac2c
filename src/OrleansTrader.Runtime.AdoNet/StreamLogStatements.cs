namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// The stream log statements both dialects run as the same text but for the two-argument maximum and the trim's shape
/// (the appends differ and stay with each provider).
/// Parameters: @ns, @key, @after, @max, @consumer, @sequence, @payload, @attempts, @error, @failedAt, @subscription,
/// @grainType, @grainKey, @cutoff, as each statement names them.
/// </summary>
internal sealed class StreamLogStatements
{
    private const string EventColumns = "position, stream_namespace, stream_key, sequence, payload, timestamp_ticks";

    /// <param name="postgreSql">
    /// Whether these run on PostgreSQL (else SQLite): the two-argument maximum is <c>GREATEST</c> there and <c>max</c> in
    /// SQLite, and <see cref="Trim"/> differs in shape and in what it returns (see <see cref="StreamLogSql.Trim"/>).
    /// </param>
    public StreamLogStatements(string events, string checkpoints, string deadLetters, string subscriptions, bool postgreSql)
    {
        var greatest = postgreSql ? "GREATEST" : "max";
        ReadStream = $"""
            SELECT {EventColumns} FROM {events}
            WHERE stream_namespace = @ns AND stream_key = @key AND sequence > @after ORDER BY sequence LIMIT @max;
            """;
        ReadNamespace = $"""
            SELECT {EventColumns} FROM {events}
            WHERE stream_namespace = @ns AND position > @after ORDER BY position LIMIT @max;
            """;
        GetCheckpoint = $"SELECT sequence FROM {checkpoints} WHERE stream_namespace = @ns AND stream_key = @key AND consumer_id = @consumer;";
        SaveCheckpoint = $"""
            INSERT INTO {checkpoints} AS c (stream_namespace, stream_key, consumer_id, sequence) VALUES (@ns, @key, @consumer, @sequence)
            ON CONFLICT (stream_namespace, stream_key, consumer_id) DO UPDATE SET sequence = {greatest}(c.sequence, excluded.sequence);
            """;
        ResetCheckpoint = $"""
            INSERT INTO {checkpoints} (stream_namespace, stream_key, consumer_id, sequence) VALUES (@ns, @key, @consumer, @sequence)
            ON CONFLICT (stream_namespace, stream_key, consumer_id) DO UPDATE SET sequence = excluded.sequence;
            """;
        RemoveCheckpoint = $"DELETE FROM {checkpoints} WHERE stream_namespace = @ns AND stream_key = @key AND consumer_id = @consumer;";
        InsertDeadLetter = $"""
            INSERT INTO {deadLetters} (stream_namespace, stream_key, consumer_id, sequence, payload, attempts, error, failed_at_ticks)
            VALUES (@ns, @key, @consumer, @sequence, @payload, @attempts, @error, @failedAt);
            """;
        ReadDeadLetters = $"""
            SELECT consumer_id, sequence, payload, attempts, error, failed_at_ticks FROM {deadLetters}
            WHERE stream_namespace = @ns AND stream_key = @key ORDER BY id;
            """;
        InsertSubscription = $"""
            INSERT INTO {subscriptions} (stream_namespace, stream_key, subscription_id, grain_type, grain_key)
            VALUES (@ns, @key, @subscription, @grainType, @grainKey)
            ON CONFLICT (stream_namespace, stream_key, subscription_id) DO NOTHING;
            """;
        DeleteSubscription = $"DELETE FROM {subscriptions} WHERE stream_namespace = @ns AND stream_key = @key AND subscription_id = @subscription;";
        ReadSubscriptions = $"SELECT stream_namespace, stream_key, subscription_id, grain_type, grain_key FROM {subscriptions} ORDER BY id;";
        Trim = StreamLogSql.Trim(events, checkpoints, subscriptions, postgreSql);
    }

    /// <summary>Columns position, namespace, key, sequence, payload, timestamp ticks.</summary>
    public string ReadStream { get; }

    /// <summary>Columns as <see cref="ReadStream"/>.</summary>
    public string ReadNamespace { get; }

    public string GetCheckpoint { get; }

    /// <summary>Moves a checkpoint forward only.</summary>
    public string SaveCheckpoint { get; }

    /// <summary>Sets a checkpoint, backwards too (a rewind).</summary>
    public string ResetCheckpoint { get; }

    public string RemoveCheckpoint { get; }

    public string InsertDeadLetter { get; }

    /// <summary>Rows for <see cref="StreamLogSql.ReadDeadLetter"/>.</summary>
    public string ReadDeadLetters { get; }

    public string InsertSubscription { get; }

    public string DeleteSubscription { get; }

    /// <summary>Rows for <see cref="StreamLogSql.ReadSubscription"/>.</summary>
    public string ReadSubscriptions { get; }

    /// <summary><see cref="StreamLogSql.Trim"/> over these tables.</summary>
    public string Trim { get; }
}
