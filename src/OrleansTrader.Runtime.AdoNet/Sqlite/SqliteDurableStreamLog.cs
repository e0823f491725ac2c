using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// The durable stream log in SQLite. Position is the AUTOINCREMENT row id (never reused); the per-stream sequence
/// comes from a counter row in stream_heads bumped in the same IMMEDIATE transaction as the inserts, so it is
/// gap-free and unique per stream. A batch is one transaction, which is what makes batched appends fast.
/// Explicit grain subscriptions are rows of stream_subscriptions, unique per (stream, subscription id).
/// </summary>
public sealed class SqliteDurableStreamLog : IDurableStreamLog
{
    private const string EventColumns = "position, stream_namespace, stream_key, sequence, payload, timestamp_ticks";

    /// <summary>Rows per INSERT statement; 2 shared + 1 per row parameters stay far below SQLite's parameter limit.</summary>
    private const int InsertChunkRows = 128;

    /// <summary>Appends of up to this many events (the usual single event or few) keep a prepared INSERT each.</summary>
    private const int PreparedInsertMaxRows = 8;

    private static readonly string[] PayloadParameterNames =
        [.. Enumerable.Range(0, InsertChunkRows).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture))];

    private readonly SqliteDatabase _database;
    private readonly ILogger _logger;
    private readonly SqliteTables _tables;
    private readonly AsyncOnce _schema;
    private readonly string _bumpHead;
    private readonly string _insertFullChunk;
    private readonly string[] _insertSmall;
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

    /// <summary>
    /// Whether the SQLite file at <paramref name="filePath"/> exists and already holds a stream log (its events table,
    /// with <paramref name="tablePrefix"/>). Read-only: a missing file is not created.
    /// </summary>
    public static bool ExistsIn(string filePath, string tablePrefix = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        if (!File.Exists(filePath))
        {
            return false;
        }

        SQLitePCL.Batteries_V2.Init();
        var source = new SqliteConnectionStringBuilder { DataSource = filePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(source.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = @name;";
        command.Parameters.AddWithValue("@name", new SqliteTables(tablePrefix).StreamEvents);
        return command.ExecuteScalar() is not null;
    }

    public SqliteDurableStreamLog(SqliteDatabase database, ILogger<SqliteDurableStreamLog>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _tables = new SqliteTables(database.TablePrefix);
        var t = _tables;
        _bumpHead = $"""
            INSERT INTO {t.StreamHeads} AS h (stream_namespace, stream_key, last_sequence) VALUES (@ns, @key, @count)
            ON CONFLICT (stream_namespace, stream_key) DO UPDATE SET last_sequence = h.last_sequence + excluded.last_sequence
            RETURNING last_sequence;
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
            ON CONFLICT (stream_namespace, stream_key, consumer_id) DO UPDATE SET sequence = max(c.sequence, excluded.sequence);
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
        _insertFullChunk = InsertSql(InsertChunkRows);
        _insertSmall = [.. Enumerable.Range(0, PreparedInsertMaxRows + 1).Select(rows => rows == 0 ? string.Empty : InsertSql(rows))];
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
        return await _database.WriteAsync<IReadOnlyList<StoredStreamEvent>>(
            (connection, _, _) =>
            {
                var head = _database.WriteStatement(connection, _bumpHead);
                BindStream(head, streamId);
                head.Bind("@count", payloads.Count);
                var lastSequence = head.ExecuteScalar() ?? throw new InvalidOperationException("The stream head returned no sequence.");
                var firstSequence = lastSequence - payloads.Count + 1;
                var stored = new StoredStreamEvent[payloads.Count];
                for (var start = 0; start < payloads.Count; start += InsertChunkRows)
                {
                    var rows = Math.Min(InsertChunkRows, payloads.Count - start);

                    // A full chunk and the usual few rows stay prepared; a rare size is compiled for this append only.
                    var prepared = rows == InsertChunkRows || rows <= PreparedInsertMaxRows;
                    var insert = prepared
                        ? _database.WriteStatement(connection, rows == InsertChunkRows ? _insertFullChunk : _insertSmall[rows])
                        : new SqliteWriteStatement(connection, InsertSql(rows));
                    try
                    {
                        InsertChunk(insert, streamId, payloads, start, rows, firstSequence, utc, stored);
                    }
                    finally
                    {
                        insert.Reset();
                        if (!prepared)
                        {
                            insert.Dispose();
                        }
                    }
                }

                return Task.FromResult<IReadOnlyList<StoredStreamEvent>>(stored);
            },
            cancellationToken);
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
                command.Parameters.AddWithValue("@after", afterSequence);
                command.Parameters.AddWithValue("@max", maxCount);
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
                command.Parameters.AddWithValue("@ns", streamNamespace);
                command.Parameters.AddWithValue("@after", afterPosition);
                command.Parameters.AddWithValue("@max", maxCount);
            },
            cancellationToken);
    }

    public async Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerId);
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, _getCheckpoint);
        AddStream(command, streamId);
        command.Parameters.AddWithValue("@consumer", consumerId);
        return (long?)await command.ExecuteScalarAsync(cancellationToken) ?? 0;
    }

    public Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
        WriteCheckpointAsync(_saveCheckpoint, streamId, consumerId, sequence, cancellationToken);

    /// <summary>Every checkpoint in one IMMEDIATE transaction: one commit (one WAL sync point) for the whole batch.</summary>
    public async Task SaveCheckpointsAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken = default)
    {
        if (!StreamLogArguments.ValidateCheckpoints(checkpoints))
        {
            return;
        }

        await InitializeAsync(cancellationToken);
        await _database.WriteAsync(
            (connection, _, _) =>
            {
                // One prepared statement re-bound per checkpoint.
                var statement = _database.WriteStatement(connection, _saveCheckpoint);
                var written = 0;
                foreach (var checkpoint in checkpoints)
                {
                    BindCheckpoint(statement, checkpoint.StreamId, checkpoint.ConsumerId, checkpoint.Sequence);
                    written += statement.Execute();
                }

                return Task.FromResult(written);
            },
            cancellationToken);
    }

    public Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
        WriteCheckpointAsync(_resetCheckpoint, streamId, consumerId, sequence, cancellationToken);

    public async Task RemoveCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerId);
        await InitializeAsync(cancellationToken);
        await _database.WriteStatementAsync(
            (connection, _, _) =>
            {
                var statement = _database.WriteStatement(connection, _removeCheckpoint);
                BindStream(statement, streamId);
                statement.Bind("@consumer", consumerId);
                return Task.FromResult(statement.Execute());
            },
            cancellationToken);
    }

    public async Task WriteDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        StreamLogArguments.Validate(deadLetter.StreamId);
        ArgumentException.ThrowIfNullOrWhiteSpace(deadLetter.ConsumerId);
        ArgumentNullException.ThrowIfNull(deadLetter.Error);
        await InitializeAsync(cancellationToken);
        await _database.WriteStatementAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, _insertDeadLetter, transaction);
                AddStream(command, deadLetter.StreamId);
                command.Parameters.AddWithValue("@consumer", deadLetter.ConsumerId);
                command.Parameters.AddWithValue("@sequence", deadLetter.Sequence);
                command.Parameters.AddWithValue("@payload", PayloadBytes.AsArray(deadLetter.Payload));
                command.Parameters.AddWithValue("@attempts", deadLetter.Attempts);
                command.Parameters.AddWithValue("@error", deadLetter.Error);
                command.Parameters.AddWithValue("@failedAt", deadLetter.FailedAt.UtcTicks);
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);
        AdoNetLog.DeadLetterStored(_logger, deadLetter.ConsumerId, deadLetter.StreamId.Namespace, deadLetter.Sequence, deadLetter.Attempts);
    }

    public async Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(StreamId streamId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, _readDeadLetters);
        AddStream(command, streamId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            letters.Add(new DeadLetter(
                streamId,
                reader.GetString(0),
                reader.GetInt64(1),
                (byte[])reader.GetValue(2),
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
        await _database.WriteStatementAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, _insertSubscription, transaction);
                AddStream(command, subscription.StreamId);
                command.Parameters.AddWithValue("@subscription", StreamLogArguments.Format(subscription.SubscriptionId));
                command.Parameters.AddWithValue("@grainType", subscription.Subscriber.Type.Value);
                command.Parameters.AddWithValue("@grainKey", subscription.Subscriber.Key);
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);
    }

    public async Task RemoveSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        await InitializeAsync(cancellationToken);
        await _database.WriteStatementAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, _deleteSubscription, transaction);
                AddStream(command, streamId);
                command.Parameters.AddWithValue("@subscription", StreamLogArguments.Format(subscriptionId));
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionsAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, _readSubscriptions);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var subscriptions = new List<StoredStreamSubscription>();
        while (await reader.ReadAsync(cancellationToken))
        {
            subscriptions.Add(new StoredStreamSubscription(
                new StreamId(reader.GetString(0), reader.GetString(1)),
                Guid.ParseExact(reader.GetString(2), "D"),
                new GrainId(new GrainType(reader.GetString(3)), reader.GetString(4))));
        }

        return subscriptions;
    }

    /// <summary>Deletes in chunks, each its own write, so appends and checkpoints are not held up behind one long delete.</summary>
    public async Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        var cutoff = olderThan.UtcTicks;
        return await StreamLogSql.TrimInChunksAsync(after => _database.WriteStatementAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, _trim, transaction);
                command.Parameters.AddWithValue("@after", after);
                command.Parameters.AddWithValue("@cutoff", cutoff);
                command.Parameters.AddWithValue("@max", StreamLogSql.TrimChunkRows);
                await using var reader = await command.ExecuteReaderAsync(ct);
                return await StreamLogSql.ReadTrimmedAsync(reader, after, ct);
            },
            cancellationToken));
    }

    /// <summary>Binds and runs one chunk's INSERT (the caller resets it) and records the events it stored.</summary>
    private static void InsertChunk(
        SqliteWriteStatement insert,
        StreamId streamId,
        IReadOnlyList<ReadOnlyMemory<byte>> payloads,
        int start,
        int rows,
        long firstSequence,
        DateTimeOffset utc,
        StoredStreamEvent[] stored)
    {
        BindStream(insert, streamId);
        insert.Bind("@first", firstSequence + start);
        insert.Bind("@timestamp", utc.UtcTicks);
        for (var i = 0; i < rows; i++)
        {
            insert.Bind(PayloadParameterNames[i], payloads[start + i].Span);
        }

        var returned = 0;
        while (insert.Step())
        {
            var sequence = insert.Int64(1);
            var index = (int)(sequence - firstSequence);
            stored[index] = new StoredStreamEvent(insert.Int64(0), streamId, sequence, payloads[index], utc);
            returned++;
        }

        if (returned != rows)
        {
            throw new InvalidOperationException($"The stream log stored {returned} of {rows} events.");
        }
    }

    /// <summary>
    /// One multi-row INSERT per chunk: far fewer statement executions than a row at a time. The text is built
    /// only from the table constant and generated parameter names; every value is a parameter.
    /// </summary>
    private string InsertSql(int rows)
    {
        var sql = new StringBuilder(64 + (rows * 48));
        sql.Append("INSERT INTO ").Append(_tables.StreamEvents)
            .Append(" (stream_namespace, stream_key, sequence, payload, timestamp_ticks) VALUES ");
        for (var i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? string.Empty : ", ")
                .Append(CultureInfo.InvariantCulture, $"(@ns, @key, @first + {i}, {PayloadParameterNames[i]}, @timestamp)");
        }

        sql.Append(" RETURNING position, sequence;");
        return sql.ToString();
    }

    private static void AddStream(SqliteCommand command, StreamId streamId)
    {
        command.Parameters.AddWithValue("@ns", streamId.Namespace);
        command.Parameters.AddWithValue("@key", streamId.Key);
    }

    private static void BindStream(SqliteWriteStatement statement, StreamId streamId)
    {
        statement.Bind("@ns", streamId.Namespace);
        statement.Bind("@key", streamId.Key);
    }

    private static void BindCheckpoint(SqliteWriteStatement statement, StreamId streamId, string consumerId, long sequence)
    {
        BindStream(statement, streamId);
        statement.Bind("@consumer", consumerId);
        statement.Bind("@sequence", sequence);
    }

    private async Task WriteCheckpointAsync(
        string sql, StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken)
    {
        StreamLogArguments.ValidateCheckpoint(streamId, consumerId, sequence);
        await InitializeAsync(cancellationToken);
        await _database.WriteStatementAsync(
            (connection, _, _) =>
            {
                var statement = _database.WriteStatement(connection, sql);
                BindCheckpoint(statement, streamId, consumerId, sequence);
                return Task.FromResult(statement.Execute());
            },
            cancellationToken);
    }

    private async Task<IReadOnlyList<StoredStreamEvent>> ReadEventsAsync(
        string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, sql);
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<StoredStreamEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new StoredStreamEvent(
                reader.GetInt64(0),
                new StreamId(reader.GetString(1), reader.GetString(2)),
                reader.GetInt64(3),
                (byte[])reader.GetValue(4),
                new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero)));
        }

        return events;
    }

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var t = _tables;
        var ddl = $"""
            CREATE TABLE IF NOT EXISTS {t.StreamEvents} (
                position INTEGER PRIMARY KEY AUTOINCREMENT,
                stream_namespace TEXT NOT NULL,
                stream_key TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                payload BLOB NOT NULL,
                timestamp_ticks INTEGER NOT NULL,
                UNIQUE (stream_namespace, stream_key, sequence)
            );
            CREATE INDEX IF NOT EXISTS {t.Prefix}ix_stream_events_namespace ON {t.StreamEvents} (stream_namespace, position);
            CREATE TABLE IF NOT EXISTS {t.StreamHeads} (
                stream_namespace TEXT NOT NULL,
                stream_key TEXT NOT NULL,
                last_sequence INTEGER NOT NULL,
                PRIMARY KEY (stream_namespace, stream_key)
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS {t.StreamCheckpoints} (
                stream_namespace TEXT NOT NULL,
                stream_key TEXT NOT NULL,
                consumer_id TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                PRIMARY KEY (stream_namespace, stream_key, consumer_id)
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS {t.StreamDeadLetters} (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                stream_namespace TEXT NOT NULL,
                stream_key TEXT NOT NULL,
                consumer_id TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                payload BLOB NOT NULL,
                attempts INTEGER NOT NULL,
                error TEXT NOT NULL,
                failed_at_ticks INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS {t.Prefix}ix_stream_dead_letters_stream ON {t.StreamDeadLetters} (stream_namespace, stream_key, id);
            CREATE TABLE IF NOT EXISTS {t.StreamSubscriptions} (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                stream_namespace TEXT NOT NULL,
                stream_key TEXT NOT NULL,
                subscription_id TEXT NOT NULL,
                grain_type TEXT NOT NULL,
                grain_key TEXT NOT NULL,
                UNIQUE (stream_namespace, stream_key, subscription_id)
            );
            """;
        await _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, ddl, transaction);
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);
        AdoNetLog.SchemaReady(
            _logger, "SQLite stream log", $"{t.StreamEvents}, {t.StreamHeads}, {t.StreamCheckpoints}, {t.StreamDeadLetters}, {t.StreamSubscriptions}");
    }
}
