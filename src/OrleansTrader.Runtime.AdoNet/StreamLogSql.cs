namespace OrleansTrader.Runtime.AdoNet;

/// <summary>SQL the SQLite and PostgreSQL stream logs share word for word.</summary>
internal static class StreamLogSql
{
    /// <summary>
    /// One chunk of expired events after @after, in position order: old, at or below the stream's lowest checkpoint
    /// (MIN over no rows is NULL, so a stream without checkpoints keeps everything), and not pinned by a stored
    /// subscriber without a checkpoint (its consumer id is the grain id, "type/key"). Returns the deleted positions.
    /// </summary>
    public static string Trim(string events, string checkpoints, string subscriptions) => $"""
        DELETE FROM {events} WHERE position IN (
            SELECT e.position FROM {events} e
            WHERE e.position > @after AND e.timestamp_ticks < @cutoff
              AND e.sequence <= (SELECT MIN(c.sequence) FROM {checkpoints} c
                                 WHERE c.stream_namespace = e.stream_namespace AND c.stream_key = e.stream_key)
              AND NOT EXISTS (SELECT 1 FROM {subscriptions} s
                              WHERE s.stream_namespace = e.stream_namespace AND s.stream_key = e.stream_key
                                AND NOT EXISTS (SELECT 1 FROM {checkpoints} c
                                                WHERE c.stream_namespace = s.stream_namespace AND c.stream_key = s.stream_key
                                                  AND c.consumer_id = s.grain_type || '/' || s.grain_key))
            ORDER BY e.position LIMIT @max)
        RETURNING position;
        """;
}
