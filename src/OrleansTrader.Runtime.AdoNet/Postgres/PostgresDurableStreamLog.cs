using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// The durable stream log in PostgreSQL. Position is an identity column; the per-stream sequence comes from a
/// counter row in stream_heads updated in the same transaction as the inserts (the row lock serializes appenders
/// to one stream, so sequences are unique and gap-free). Appends to one namespace also take a transaction-scoped
/// advisory lock: identity values are handed out before commit, so without it a transaction holding position 7
/// could commit after one holding position 8, and a reader tailing the namespace past 8 would never see 7.
/// A whole batch is one transaction and one round trip for the inserts (unnest over a bytea array).
/// Explicit grain subscriptions are rows of stream_subscriptions, unique per (stream, subscription id).
/// </summary>
public sealed class PostgresDurableStreamLog : IDurableStreamLog
{
    private const string EventColumns = "position, stream_namespace, stream_key, sequence, payload, timestamp_ticks";

    /// <summary>Events deleted per retention statement.</summary>

    private readonly PostgresDatabase _database;
    private readonly ILogger _logger;
    private readonly PostgresTables _tables;
    private readonly AsyncOnce _schema;
    private readonly string _lockNamespace;
    private readonly string _append;
    private readonly string _readStream;
    private readonly string _readNamespace;
    private readonly string _getCheckpoint;
    private readonly string _saveCheckpoint;
    private readonly string _resetCheckpoint;
    private readonly string _removeCheckpoint;
    private readonly string _insertDeadLetter;
    private readonly string _readDeadLetters;
    private readonly string _insertSubscription;
    private readonly string _deleteSubscription;
    private readonly string _readSubscriptions;
    private readonly string _trim;

    public PostgresDurableStreamLog(PostgresDatabase database, ILogger<PostgresDurableStreamLog>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _tables = new PostgresTables(database.Schema);
        var t = _tables;
        _lockNamespace = "SELECT pg_advisory_xact_lock(@class, hashtext(@ns));";
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
        _readStream = $"""
            SELECT {EventColumns} FROM {t.StreamEvents}
            WHERE stream_namespace = @ns AND stream_key = @key AND sequence > @after ORDER BY sequence LIMIT @max;
            """;
        _readNamespace = $"""
            SELECT {EventColumns} FROM {t.StreamEvents}
            WHERE stream_namespace = @ns AND position > @after ORDER BY position LIMIT @max;
            """;
        _getCheckpoint = $"SELECT sequence FROM {t.StreamCheckpoints} WHERE stream_namespace = @ns AND stream_key = @key AND consumer_id = @consumer;";
        _saveCheckpoint = $"""
            INSERT INTO {t.StreamCheckpoints} AS c (stream_namespace, stream_key, consumer_id, sequence) VALUES (@ns, @key, @consumer, @sequence)
            ON CONFLICT (stream_namespace, stream_key, consumer_id) DO UPDATE SET sequence = GREATEST(c.sequence, excluded.sequence);
            """;
        _resetCheckpoint = $"""
            INSERT INTO {t.StreamCheckpoints} (stream_namespace, stream_key, consumer_id, sequence) VALUES (@ns, @key, @consumer, @sequence)
            ON CONFLICT (stream_namespace, stream_key, consumer_id) DO UPDATE SET sequence = excluded.sequence;
            """;
        _removeCheckpoint = $"DELETE FROM {t.StreamCheckpoints} WHERE stream_namespace = @ns AND stream_key = @key AND consumer_id = @consumer;";
        _insertDeadLetter = $"""
            INSERT INTO {t.StreamDeadLetters} (stream_namespace, stream_key, consumer_id, sequence, payload, attempts, error, failed_at_ticks)
            VALUES (@ns, @key, @consumer, @sequence, @payload, @attempts, @error, @failedAt);
            """;
        _readDeadLetters = $"""
            SELECT consumer_id, sequence, payload, attempts, error, failed_at_ticks FROM {t.StreamDeadLetters}
            WHERE stream_namespace = @ns AND stream_key = @key ORDER BY id;
            """;
        _insertSubscription = $"""
            INSERT INTO {t.StreamSubscriptions} (stream_namespace, stream_key, subscription_id, grain_type, grain_key)
            VALUES (@ns, @key, @subscription, @grainType, @grainKey)
            ON CONFLICT (stream_namespace, stream_key, subscription_id) DO NOTHING;
            """;
        _deleteSubscription = $"DELETE FROM {t.StreamSubscriptions} WHERE stream_namespace = @ns AND stream_key = @key AND subscription_id = @subscription;";
        _readSubscriptions = $"SELECT stream_namespace, stream_key, subscription_id, grain_type, grain_key FROM {t.StreamSubscriptions} ORDER BY id;";
        _trim = StreamLogSql.Trim(t.StreamEvents, t.StreamCheckpoints, t.StreamSubscriptions);
        _schema = new AsyncOnce(CreateSchemaAsync);
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync().WaitAsync(cancellationToken);

    public async Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
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

        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = _database.CreateBatch(connection, transaction);
        var lockCommand = new NpgsqlBatchCommand(_lockNamespace);
        lockCommand.Parameters.Add("class", PostgresSchema.StreamNamespaceLockClass);
        lockCommand.Parameters.Add("ns", streamId.Namespace);
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
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            await reader.NextResultAsync(cancellationToken);
            var rows = new (long Position, long Sequence)[payloads.Count];
            var count = 0;
            while (await reader.ReadAsync(cancellationToken))
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

        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(
        StreamId streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        StreamLogArguments.ValidateRead(afterSequence, maxCount);
        return ReadEventsAsync(
            _readStream,
            command =>
            {
                AddStream(command, streamId);
                command.Parameters.Add("after", afterSequence);
                command.Parameters.Add("max", maxCount);
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadNamespaceAsync(
        string streamNamespace, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamNamespace);
        StreamLogArguments.ValidateRead(afterPosition, maxCount);
        return ReadEventsAsync(
            _readNamespace,
            command =>
            {
                command.Parameters.Add("ns", streamNamespace);
                command.Parameters.Add("after", afterPosition);
                command.Parameters.Add("max", maxCount);
            },
            cancellationToken);
    }

    public async Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerId);
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(_getCheckpoint);
        AddStream(command, streamId);
        command.Parameters.Add("consumer", consumerId);
        return (long?)await command.ExecuteScalarAsync(cancellationToken) ?? 0;
    }

    public Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
        WriteCheckpointAsync(_saveCheckpoint, streamId, consumerId, sequence, cancellationToken);

    /// <summary>
    /// Every checkpoint in one transaction and one round trip. Rows are upserted in key order, so two silos flushing
    /// overlapping batches lock them in the same order and cannot deadlock.
    /// </summary>
    public async Task SaveCheckpointsAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken = default)
    {
        if (!StreamLogArguments.ValidateCheckpoints(checkpoints))
        {
            return;
        }

        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = _database.CreateBatch(connection, transaction);
        var ordered = checkpoints
            .OrderBy(c => c.StreamId.Namespace, StringComparer.Ordinal)
            .ThenBy(c => c.StreamId.Key, StringComparer.Ordinal)
            .ThenBy(c => c.ConsumerId, StringComparer.Ordinal);
        foreach (var checkpoint in ordered)
        {
            var save = new NpgsqlBatchCommand(_saveCheckpoint);
            save.Parameters.Add("ns", checkpoint.StreamId.Namespace);
            save.Parameters.Add("key", checkpoint.StreamId.Key);
            save.Parameters.Add("consumer", checkpoint.ConsumerId);
            save.Parameters.Add("sequence", checkpoint.Sequence);
            batch.BatchCommands.Add(save);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
        WriteCheckpointAsync(_resetCheckpoint, streamId, consumerId, sequence, cancellationToken);

    public async Task RemoveCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerId);
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(_removeCheckpoint);
        AddStream(command, streamId);
        command.Parameters.Add("consumer", consumerId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task WriteDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        StreamLogArguments.Validate(deadLetter.StreamId);
        ArgumentException.ThrowIfNullOrWhiteSpace(deadLetter.ConsumerId);
        ArgumentNullException.ThrowIfNull(deadLetter.Error);
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(_insertDeadLetter);
        AddStream(command, deadLetter.StreamId);
        command.Parameters.Add("consumer", deadLetter.ConsumerId);
        command.Parameters.Add("sequence", deadLetter.Sequence);
        command.Parameters.Add("payload", PayloadBytes.AsArray(deadLetter.Payload));
        command.Parameters.Add("attempts", deadLetter.Attempts);
        command.Parameters.Add("error", deadLetter.Error);
        command.Parameters.Add("failedAt", deadLetter.FailedAt.UtcTicks);
        await command.ExecuteNonQueryAsync(cancellationToken);
        AdoNetLog.DeadLetterStored(_logger, deadLetter.ConsumerId, deadLetter.StreamId.Namespace, deadLetter.Sequence, deadLetter.Attempts);
    }

    public async Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(StreamId streamId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(_readDeadLetters);
        AddStream(command, streamId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            letters.Add(new DeadLetter(
                streamId,
                reader.GetString(0),
                reader.GetInt64(1),
                await reader.GetFieldValueAsync<byte[]>(2, cancellationToken),
                reader.GetInt32(3),
                reader.GetString(4),
                new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero)));
        }

        return letters;
    }

    public async Task AddSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        StreamLogArguments.Validate(subscription.StreamId);
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(_insertSubscription);
        AddStream(command, subscription.StreamId);
        command.Parameters.Add("subscription", subscription.SubscriptionId);
        command.Parameters.Add("grainType", subscription.Subscriber.Type.Value);
        command.Parameters.Add("grainKey", subscription.Subscriber.Key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RemoveSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(_deleteSubscription);
        AddStream(command, streamId);
        command.Parameters.Add("subscription", subscriptionId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionsAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(_readSubscriptions);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var subscriptions = new List<StoredStreamSubscription>();
        while (await reader.ReadAsync(cancellationToken))
        {
            subscriptions.Add(new StoredStreamSubscription(
                new StreamId(reader.GetString(0), reader.GetString(1)),
                reader.GetGuid(2),
                new GrainId(new GrainType(reader.GetString(3)), reader.GetString(4))));
        }

        return subscriptions;
    }

    /// <summary>Deletes in chunks, each its own statement, so no transaction holds many row locks for long.</summary>
    public async Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        var cutoff = olderThan.UtcTicks;
        return await StreamLogSql.TrimInChunksAsync(async after =>
        {
            await using var command = _database.CreateCommand(_trim);
            command.Parameters.Add("after", after);
            command.Parameters.Add("cutoff", cutoff);
            command.Parameters.Add("max", StreamLogSql.TrimChunkRows);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await StreamLogSql.ReadTrimmedAsync(reader, after, cancellationToken);
        });
    }

    private static void AddStream(NpgsqlCommand command, StreamId streamId)
    {
        command.Parameters.Add("ns", streamId.Namespace);
        command.Parameters.Add("key", streamId.Key);
    }

    private async Task WriteCheckpointAsync(
        string sql, StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken)
    {
        StreamLogArguments.ValidateCheckpoint(streamId, consumerId, sequence);
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(sql);
        AddStream(command, streamId);
        command.Parameters.Add("consumer", consumerId);
        command.Parameters.Add("sequence", sequence);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<StoredStreamEvent>> ReadEventsAsync(
        string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(sql);
        bind(command);
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

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
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
            _logger, "PostgreSQL stream log", $"{t.StreamEvents}, {t.StreamHeads}, {t.StreamCheckpoints}, {t.StreamDeadLetters}, {t.StreamSubscriptions}");
    }
}
