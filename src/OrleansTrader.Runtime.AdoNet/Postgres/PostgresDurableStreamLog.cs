using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// The durable stream log in PostgreSQL. Position is an identity column; the per-stream sequence comes from a
/// counter row in stream_heads updated in the same transaction as the inserts (the row lock serializes appenders
/// to one stream, so sequences are unique and gap-free). Appends to one namespace also take a transaction-scoped
/// advisory lock: identity values are handed out before commit, so without it a transaction holding position 7
/// could commit after one holding position 8, and a reader tailing the namespace past 8 would never see 7. The lock is
/// keyed on the schema as resolved (lower case) and the namespace: advisory locks are per database, and a deployment in
/// another schema appends to tables of its own, so it must not wait for these appends.
/// A whole batch is one transaction and one round trip for the inserts (unnest over a bytea array).
/// Explicit grain subscriptions are rows of stream_subscriptions, unique per (stream, subscription id).
/// </summary>
public sealed class PostgresDurableStreamLog : AdoNetDurableStreamLog
{
    private const string LockNamespace = "SELECT pg_advisory_xact_lock(@class, hashtext(@schema || '/' || @ns));";

    private readonly PostgresDatabase _database;
    private readonly PostgresTables _tables;
    private readonly string _append;

    public PostgresDurableStreamLog(PostgresDatabase database, ILogger<PostgresDurableStreamLog>? logger = null)
        : this(database ?? throw new ArgumentNullException(nameof(database)), new PostgresTables(database.SchemaInSql), logger)
    {
    }

    private PostgresDurableStreamLog(PostgresDatabase database, PostgresTables t, ILogger? logger)
        : base(new StreamLogStatements(t.StreamEvents, t.StreamCheckpoints, t.StreamDeadLetters, t.StreamSubscriptions, postgreSql: true), logger)
    {
        _database = database;
        _tables = t;
        _append = $"""
            WITH head AS (
                INSERT INTO {t.StreamHeads} AS h (stream_namespace, stream_key, last_sequence) VALUES (@ns, @key, @count)
                ON CONFLICT (stream_namespace, stream_key) DO UPDATE SET last_sequence = h.last_sequence + excluded.last_sequence
                RETURNING last_sequence)
            INSERT INTO {t.StreamEvents} (stream_namespace, stream_key, sequence, payload, timestamp_ticks)
            SELECT @ns, @key, head.last_sequence - @count + u.ordinal, u.payload, @timestamp
            FROM head CROSS JOIN unnest(@payloads) WITH ORDINALITY AS u(payload, ordinal)
            ORDER BY u.ordinal
            RETURNING position, sequence;
            """;
    }

    public override async Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
        StreamId streamId, IReadOnlyList<ReadOnlyMemory<byte>> payloads, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        ArgumentNullException.ThrowIfNull(payloads);
        if (payloads.Count == 0)
        {
            return [];
        }

        await InitializeAsync(cancellationToken);
        var utc = timestamp.ToUniversalTime();
        var arrays = new byte[payloads.Count][];
        for (var i = 0; i < arrays.Length; i++)
        {
            arrays[i] = PayloadBytes.AsArray(payloads[i]);
        }

        // One transaction: a session the server ended before its COMMIT was sent committed nothing (sequence counter
        // included), so it runs again; one that ended during the COMMIT fails, since a second run would append the events
        // again under new sequences and positions.
        return await _database.InOwnTransactionAsync(Logger, async (connection, transaction, token) =>
        {
            await using var batch = _database.CreateBatch(connection, transaction);
            var lockCommand = new NpgsqlBatchCommand(LockNamespace);
            AddNamespaceLock(lockCommand.Parameters, streamId.Namespace);
            batch.BatchCommands.Add(lockCommand);
            var append = new NpgsqlBatchCommand(_append);
            append.Parameters.Add("ns", streamId.Namespace);
            append.Parameters.Add("key", streamId.Key);
            append.Parameters.Add("count", (long)payloads.Count);
            append.Parameters.Add("timestamp", utc.UtcTicks);
            append.Parameters.Add(new NpgsqlParameter<byte[][]>("payloads", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = arrays });
            batch.BatchCommands.Add(append);

            var stored = new StoredStreamEvent[payloads.Count];
            long firstSequence;
            await using (var reader = await batch.ExecuteReaderAsync(token))
            {
                await reader.NextResultAsync(token);
                var rows = new (long Position, long Sequence)[payloads.Count];
                var count = 0;
                while (await reader.ReadAsync(token))
                {
                    rows[count++] = (reader.GetInt64(0), reader.GetInt64(1));
                }

                if (count != payloads.Count)
                {
                    throw new InvalidOperationException($"The stream log stored {count} of {payloads.Count} events.");
                }

                firstSequence = rows.Min(r => r.Sequence);
                foreach (var (position, sequence) in rows)
                {
                    var index = (int)(sequence - firstSequence);
                    stored[index] = new StoredStreamEvent(position, streamId, sequence, payloads[index], utc);
                }
            }

            return stored;
        }, cancellationToken);
    }

    private protected override async Task<IReadOnlyList<StoredStreamEvent>> ReadEventsAsync(
        string sql, string streamNamespace, string? streamKey, long after, int maxCount, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        return await _database.RunAgainIfDroppedAsync(
            Logger, token => ReadEventsOnceAsync(sql, streamNamespace, streamKey, after, maxCount, token), cancellationToken);
    }

    private async Task<IReadOnlyList<StoredStreamEvent>> ReadEventsOnceAsync(
        string sql, string streamNamespace, string? streamKey, long after, int maxCount, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(sql);
        command.Parameters.Add("ns", streamNamespace);
        if (streamKey is not null)
        {
            command.Parameters.Add("key", streamKey);
        }

        command.Parameters.Add("after", after);
        command.Parameters.Add("max", maxCount);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<StoredStreamEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new StoredStreamEvent(
                reader.GetInt64(0),
                new StreamId(reader.GetString(1), reader.GetString(2)),
                reader.GetInt64(3),
                await reader.GetFieldValueAsync<byte[]>(4, cancellationToken),
                new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero)));
        }

        return events;
    }

    private protected override Task<long> ReadCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken) =>
        _database.RunAgainIfDroppedAsync(Logger, token => ReadCheckpointOnceAsync(streamId, consumerId, token), cancellationToken);

    private async Task<long> ReadCheckpointOnceAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(Sql.GetCheckpoint);
        AddStream(command, streamId);
        command.Parameters.Add("consumer", consumerId);
        return (long?)await command.ExecuteScalarAsync(cancellationToken) ?? 0;
    }

    /// <summary>
    /// A save only moves a checkpoint forward, so a second run after a first that committed changes nothing (the next
    /// flush writes a failed save again anyway): it runs again over a new session. A reset, which moves it back too, does
    /// not, since a second run could undo a save that landed in between.
    /// </summary>
    // The pooling builder reuses the state machine box: the step from the shared flow allocates nothing per checkpoint write.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private protected override async ValueTask WriteCheckpointRowAsync(
        string sql, StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken)
    {
        try
        {
            await WriteCheckpointRowOnceAsync(sql, streamId, consumerId, sequence, cancellationToken);
            return;
        }
        catch (Exception ex) when (PostgresDatabase.IsDroppedConnection(ex))
        {
            _database.SessionDropped(Logger, ex);
            if (!string.Equals(sql, Sql.SaveCheckpoint, StringComparison.Ordinal))
            {
                throw;
            }
        }

        await WriteCheckpointRowOnceAsync(sql, streamId, consumerId, sequence, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteCheckpointRowOnceAsync(
        string sql, StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(sql);
        AddStream(command, streamId);
        command.Parameters.Add("consumer", consumerId);
        command.Parameters.Add("sequence", sequence);
        await _database.WriteNonQueryAsync(command, cancellationToken);
    }

    /// <summary>Saves only move checkpoints forward: a batch whose session ended runs again as <see cref="WriteCheckpointRowAsync"/> does.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private protected override async ValueTask SaveCheckpointBatchAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken)
    {
        try
        {
            await SaveCheckpointBatchOnceAsync(checkpoints, cancellationToken);
            return;
        }
        catch (Exception ex) when (PostgresDatabase.IsDroppedConnection(ex))
        {
            _database.SessionDropped(Logger, ex);
        }

        await SaveCheckpointBatchOnceAsync(checkpoints, cancellationToken);
    }

    /// <summary>
    /// Every checkpoint in one transaction and one round trip. Rows are upserted in key order, so two silos flushing
    /// overlapping batches lock them in the same order and cannot deadlock.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SaveCheckpointBatchOnceAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _database.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var batch = _database.CreateBatch(connection, transaction);
            var ordered = checkpoints
                .OrderBy(c => c.StreamId.Namespace, StringComparer.Ordinal)
                .ThenBy(c => c.StreamId.Key, StringComparer.Ordinal)
                .ThenBy(c => c.ConsumerId, StringComparer.Ordinal);
            foreach (var checkpoint in ordered)
            {
                var save = new NpgsqlBatchCommand(Sql.SaveCheckpoint);
                save.Parameters.Add("ns", checkpoint.StreamId.Namespace);
                save.Parameters.Add("key", checkpoint.StreamId.Key);
                save.Parameters.Add("consumer", checkpoint.ConsumerId);
                save.Parameters.Add("sequence", checkpoint.Sequence);
                batch.BatchCommands.Add(save);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(CancellationToken.None); // as in AppendAsync: once sent, a COMMIT is waited for
            _database.WriteSucceeded();
        }
        catch (PostgresException ex)
        {
            _database.WriteFailed(ex);
            throw;
        }
    }

    private protected override async Task DeleteCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(Sql.RemoveCheckpoint);
        AddStream(command, streamId);
        command.Parameters.Add("consumer", consumerId);
        await WriteOnceAsync(command, cancellationToken);
    }

    private protected override async Task InsertDeadLetterAsync(DeadLetter deadLetter, byte[] payload, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(Sql.InsertDeadLetter);
        AddStream(command, deadLetter.StreamId);
        command.Parameters.Add("consumer", deadLetter.ConsumerId);
        command.Parameters.Add("sequence", deadLetter.Sequence);
        command.Parameters.Add("payload", payload);
        command.Parameters.Add("attempts", deadLetter.Attempts);
        command.Parameters.Add("error", deadLetter.Error);
        command.Parameters.Add("failedAt", deadLetter.FailedAt.UtcTicks);
        await WriteOnceAsync(command, cancellationToken);
    }

    private protected override Task<IReadOnlyList<DeadLetter>> ReadDeadLetterRowsAsync(StreamId streamId, CancellationToken cancellationToken) =>
        _database.RunAgainIfDroppedAsync(Logger, token => ReadDeadLetterRowsOnceAsync(streamId, token), cancellationToken);

    private async Task<IReadOnlyList<DeadLetter>> ReadDeadLetterRowsOnceAsync(StreamId streamId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(Sql.ReadDeadLetters);
        AddStream(command, streamId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            letters.Add(StreamLogSql.ReadDeadLetter(reader, streamId, await reader.GetFieldValueAsync<byte[]>(2, cancellationToken)));
        }

        return letters;
    }

    private protected override async Task InsertSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(Sql.InsertSubscription);
        AddStream(command, subscription.StreamId);
        command.Parameters.Add("subscription", subscription.SubscriptionId);
        command.Parameters.Add("grainType", subscription.Subscriber.Type.Value);
        command.Parameters.Add("grainKey", subscription.Subscriber.Key);
        await WriteOnceAsync(command, cancellationToken);
    }

    private protected override async Task DeleteSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(Sql.DeleteSubscription);
        AddStream(command, streamId);
        command.Parameters.Add("subscription", subscriptionId);
        await WriteOnceAsync(command, cancellationToken);
    }

    /// <summary>
    /// A write that is not run again when its session ended (a second run after a first that committed could store a
    /// dead letter twice, or bring back a checkpoint or subscription removed in between): it fails, but the pool's other
    /// idle sessions are emptied, so the commands after it do not each meet one.
    /// </summary>
    private async Task WriteOnceAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        try
        {
            await _database.WriteNonQueryAsync(command, cancellationToken);
        }
        catch (Exception ex) when (PostgresDatabase.IsDroppedConnection(ex))
        {
            _database.SessionDropped(Logger, ex);
            throw;
        }
    }

    private protected override Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionRowsAsync(CancellationToken cancellationToken) =>
        _database.RunAgainIfDroppedAsync(Logger, ReadSubscriptionRowsOnceAsync, cancellationToken);

    private async Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionRowsOnceAsync(CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(Sql.ReadSubscriptions);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var subscriptions = new List<StoredStreamSubscription>();
        while (await reader.ReadAsync(cancellationToken))
        {
            subscriptions.Add(StreamLogSql.ReadSubscription(reader, reader.GetGuid(2)));
        }

        return subscriptions;
    }

    /// <summary>One chunk per statement, so no transaction holds many row locks for long.</summary>
    private protected override async Task<(int Count, TrimCursor StoppedAt)> TrimChunkAsync(TrimCursor from, long cutoff, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(Sql.Trim);
        command.Parameters.Add("ns", from.Namespace);
        command.Parameters.Add("key", from.Key);
        command.Parameters.Add("cutoff", cutoff);
        command.Parameters.Add("max", StreamLogSql.TrimChunkRows);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var chunk = await reader.ReadAsync(cancellationToken)
                ? ((int)reader.GetInt64(0), new TrimCursor(reader.GetString(1), reader.GetString(2)))
                : (0, from);
            _database.WriteSucceeded();
            return chunk;
        }
        catch (Exception ex) when (PostgresDatabase.IsDroppedConnection(ex))
        {
            _database.SessionDropped(Logger, ex);
            throw;
        }
        catch (PostgresException ex)
        {
            _database.WriteFailed(ex);
            throw;
        }
    }

    /// <summary>A command that takes the append lock of <paramref name="streamNamespace"/> in <paramref name="transaction"/>, as an append does (for tests that hold it).</summary>
    internal NpgsqlCommand LockNamespaceCommand(NpgsqlConnection connection, NpgsqlTransaction transaction, string streamNamespace)
    {
        var command = _database.CreateCommand(connection, LockNamespace, transaction);
        AddNamespaceLock(command.Parameters, streamNamespace);
        return command;
    }

    private void AddNamespaceLock(NpgsqlParameterCollection parameters, string streamNamespace)
    {
        parameters.Add("class", PostgresSchema.StreamNamespaceLockClass);
        parameters.Add("schema", _database.ResolvedSchema);
        parameters.Add("ns", streamNamespace);
    }

    private static void AddStream(NpgsqlCommand command, StreamId streamId)
    {
        command.Parameters.Add("ns", streamId.Namespace);
        command.Parameters.Add("key", streamId.Key);
    }

    private protected override async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var t = _tables;
        var ddl = $"""
            CREATE TABLE IF NOT EXISTS {t.StreamEvents} (
                position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                stream_namespace text NOT NULL,
                stream_key text NOT NULL,
                sequence bigint NOT NULL,
                payload bytea NOT NULL,
                timestamp_ticks bigint NOT NULL,
                UNIQUE (stream_namespace, stream_key, sequence)
            );
            CREATE INDEX IF NOT EXISTS ix_stream_events_namespace ON {t.StreamEvents} (stream_namespace, position);
            CREATE INDEX IF NOT EXISTS ix_stream_events_stream_time ON {t.StreamEvents} (stream_namespace, stream_key, timestamp_ticks);
            CREATE TABLE IF NOT EXISTS {t.StreamHeads} (
                stream_namespace text NOT NULL,
                stream_key text NOT NULL,
                last_sequence bigint NOT NULL,
                PRIMARY KEY (stream_namespace, stream_key)
            );
            CREATE TABLE IF NOT EXISTS {t.StreamCheckpoints} (
                stream_namespace text NOT NULL,
                stream_key text NOT NULL,
                consumer_id text NOT NULL,
                sequence bigint NOT NULL,
                PRIMARY KEY (stream_namespace, stream_key, consumer_id)
            );
            CREATE TABLE IF NOT EXISTS {t.StreamDeadLetters} (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                stream_namespace text NOT NULL,
                stream_key text NOT NULL,
                consumer_id text NOT NULL,
                sequence bigint NOT NULL,
                payload bytea NOT NULL,
                attempts integer NOT NULL,
                error text NOT NULL,
                failed_at_ticks bigint NOT NULL
            );
            CREATE INDEX IF NOT EXISTS ix_stream_dead_letters_stream ON {t.StreamDeadLetters} (stream_namespace, stream_key, id);
            CREATE TABLE IF NOT EXISTS {t.StreamSubscriptions} (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                stream_namespace text NOT NULL,
                stream_key text NOT NULL,
                subscription_id uuid NOT NULL,
                grain_type text NOT NULL,
                grain_key text NOT NULL,
                UNIQUE (stream_namespace, stream_key, subscription_id)
            );
            """;
        await PostgresSchema.CreateAsync(_database, ddl, cancellationToken);
        AdoNetLog.SchemaReady(
            Logger, "PostgreSQL stream log", $"{t.StreamEvents}, {t.StreamHeads}, {t.StreamCheckpoints}, {t.StreamDeadLetters}, {t.StreamSubscriptions}");
    }
}
