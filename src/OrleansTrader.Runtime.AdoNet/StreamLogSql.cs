using System.Data.Common;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>SQL, row mapping and the trim loop the SQLite and PostgreSQL stream logs share word for word.</summary>
internal static class StreamLogSql
{
    /// <summary>Rows one trim statement deletes at most; each chunk is its own write, so appends are not held up.</summary>
    public const int TrimChunkRows = 1000;

    /// <summary>
    /// Runs <paramref name="deleteChunkAfter"/> (one <see cref="Trim"/> statement after a position) until a chunk comes
    /// back short; each chunk starts after the last one, so kept events before it are not scanned again.
    /// </summary>
    public static async Task<int> TrimInChunksAsync(Func<long, Task<(int Count, long Last)>> deleteChunkAfter)
    {
        var after = 0L;
        var deleted = 0;
        while (true)
        {
            var (count, last) = await deleteChunkAfter(after);
            deleted += count;
            if (count < TrimChunkRows)
            {
                return deleted;
            }

            after = last;
        }
    }

    /// <summary>Counts the positions a trim statement returned and the highest of them (<paramref name="after"/> if none).</summary>
    public static async Task<(int Count, long Last)> ReadTrimmedAsync(DbDataReader reader, long after, CancellationToken cancellationToken)
    {
        var count = 0;
        var last = after;
        while (await reader.ReadAsync(cancellationToken))
        {
            count++;
            last = Math.Max(last, reader.GetInt64(0));
        }

        return (count, last);
    }

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
