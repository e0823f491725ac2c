using System.Data.Common;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>SQL, row mapping and the trim loop the SQLite and PostgreSQL stream logs share word for word.</summary>
internal static class StreamLogSql
{
    /// <summary>Rows one trim statement deletes at most; each chunk is its own write, so appends are not held up.</summary>
    public const int TrimChunkRows = 1000;

    /// <summary>
    /// Runs <paramref name="deleteChunkFrom"/> (one <see cref="Trim"/> chunk from a stream on) until a chunk comes back
    /// short. Each chunk starts at the stream the previous one stopped in (again, since it may have old events left),
    /// so a run probes each stream about once, plus one re-probe per chunk, not every stream per chunk.
    /// </summary>
    public static async Task<int> TrimInChunksAsync(Func<TrimCursor, Task<(int Count, TrimCursor StoppedAt)>> deleteChunkFrom)
    {
        var from = TrimCursor.Start;
        var deleted = 0;
        while (true)
        {
            var (count, stoppedAt) = await deleteChunkFrom(from);
            deleted += count;
            if (count < TrimChunkRows)
            {
                return deleted;
            }

            from = stoppedAt;
        }
    }

    /// <summary>
    /// One chunk of expired events, from the stream @ns/@key on, in the database's order of (namespace, key): old,
    /// at or below the stream's lowest checkpoint (a stream without checkpoints has no checkpoint row, so it keeps
    /// everything), and not pinned by a stored subscriber without a checkpoint (its consumer id is the grain id,
    /// "type/key"). Per stream with checkpoints it probes only that stream's events older than the cut-off (the index
    /// on stream and time), never the newer retained ones; appenders stamp their own time, so age is not in position
    /// (nor sequence) order and only the time index finds every old event. Streams are taken in the order of the
    /// checkpoints' key and the chunk reports the last one it took, compared only in SQL: the first stream key is the
    /// empty one, below every other in any collation.
    /// </summary>
    /// <param name="postgreSql">
    /// PostgreSQL runs it as one statement that returns the number deleted and the last stream taken (no row if none).
    /// Each stream's probe is a LATERAL subquery with its own LIMIT and the rows to delete an array: as a plain join or
    /// IN list its planner may pick a hash join over a full scan of the events (it does on a small table). Streams are
    /// compared and ordered in the columns' own collation, the one the checkpoints' primary key is sorted in (a
    /// database's default collation is deterministic, so the order is total).
    /// SQLite returns the chosen rows (position, namespace, key) in that order, to be deleted in the same transaction
    /// (it has no DELETE in WITH); one row per stream is its checkpoint of the lowest consumer id, so the checkpoints
    /// are walked in primary key order with no sort (grouping them would materialize and sort every stream from @ns/@key
    /// on, per chunk).
    /// </param>
    public static string Trim(string events, string checkpoints, string subscriptions, bool postgreSql)
    {
        const string FromCursor = "(c.stream_namespace, c.stream_key) >= (@ns, @key)";
        var notPinned = $"""
            NOT EXISTS (SELECT 1 FROM {subscriptions} s
                                    WHERE s.stream_namespace = c.stream_namespace AND s.stream_key = c.stream_key
                                      AND NOT EXISTS (SELECT 1 FROM {checkpoints} p
                                                      WHERE p.stream_namespace = s.stream_namespace AND p.stream_key = s.stream_key
                                                        AND p.consumer_id = s.grain_type || '/' || s.grain_key))
            """;
        if (!postgreSql)
        {
            return $"""
                SELECT e.position, c.stream_namespace, c.stream_key
                    FROM {checkpoints} c
                    JOIN {events} e ON e.stream_namespace = c.stream_namespace AND e.stream_key = c.stream_key
                        AND e.timestamp_ticks < @cutoff
                        AND e.sequence <= (SELECT MIN(m.sequence) FROM {checkpoints} m
                                           WHERE m.stream_namespace = c.stream_namespace AND m.stream_key = c.stream_key)
                    WHERE {FromCursor}
                      AND c.consumer_id = (SELECT MIN(f.consumer_id) FROM {checkpoints} f
                                           WHERE f.stream_namespace = c.stream_namespace AND f.stream_key = c.stream_key)
                      AND {notPinned}
                    ORDER BY c.stream_namespace, c.stream_key
                    LIMIT @max;
                """;
        }

        return $"""
            WITH chosen AS MATERIALIZED (
                SELECT e.position, h.stream_namespace, h.stream_key
                    FROM (SELECT c.stream_namespace, c.stream_key, MIN(c.sequence) AS acknowledged
                          FROM {checkpoints} c
                          WHERE {FromCursor}
                            AND {notPinned}
                          GROUP BY c.stream_namespace, c.stream_key) h
                    CROSS JOIN LATERAL (SELECT e.position FROM {events} e
                                        WHERE e.stream_namespace = h.stream_namespace AND e.stream_key = h.stream_key
                                          AND e.timestamp_ticks < @cutoff AND e.sequence <= h.acknowledged
                                        LIMIT @max) e
                    ORDER BY h.stream_namespace, h.stream_key
                    LIMIT @max),
            gone AS (DELETE FROM {events} WHERE position = ANY (ARRAY(SELECT position FROM chosen)) RETURNING 1)
            SELECT (SELECT count(*) FROM gone), l.stream_namespace, l.stream_key
                FROM (SELECT stream_namespace, stream_key FROM chosen
                      ORDER BY stream_namespace DESC, stream_key DESC LIMIT 1) l;
            """;
    }

    /// <summary>
    /// One row of <see cref="StreamLogStatements.ReadDeadLetters"/>; the payload comes read by the caller, each driver
    /// reads a blob its own way.
    /// </summary>
    public static DeadLetter ReadDeadLetter(DbDataReader reader, StreamId streamId, byte[] payload) => new(
        streamId,
        reader.GetString(0),
        reader.GetInt64(1),
        payload,
        reader.GetInt32(3),
        reader.GetString(4),
        new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero));

    /// <summary>
    /// One row of <see cref="StreamLogStatements.ReadSubscriptions"/>; the id comes read by the caller (a uuid in
    /// PostgreSQL, text in SQLite).
    /// </summary>
    public static StoredStreamSubscription ReadSubscription(DbDataReader reader, Guid subscriptionId) => new(
        new StreamId(reader.GetString(0), reader.GetString(1)),
        subscriptionId,
        new GrainId(new GrainType(reader.GetString(3)), reader.GetString(4)));
}

/// <summary>Where a trim chunk starts: the stream (namespace, key) the previous chunk stopped in, or the lowest key.</summary>
internal readonly record struct TrimCursor(string Namespace, string Key)
{
    public static TrimCursor Start { get; } = new(string.Empty, string.Empty);
}
