using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// The durable stream log in SQLite. Position is the AUTOINCREMENT row id (never reused); the per-stream sequence
/// comes from a counter row in stream_heads bumped in the same IMMEDIATE transaction as the inserts, so it is
/// gap-free and unique per stream. A batch is one transaction, which is what makes batched appends fast.
/// Explicit grain subscriptions are rows of stream_subscriptions, unique per (stream, subscription id).
/// </summary>
public sealed class SqliteDurableStreamLog : AdoNetDurableStreamLog
{
    /// <summary>Rows per INSERT statement; 2 shared + 1 per row parameters stay far below SQLite's parameter limit.</summary>
    private const int InsertChunkRows = 128;

    /// <summary>Appends of up to this many events (the usual single event or few) keep a prepared INSERT each.</summary>
    private const int PreparedInsertMaxRows = 8;

    private static readonly string[] PayloadParameterNames =
        [.. Enumerable.Range(0, InsertChunkRows).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture))];

    private readonly SqliteDatabase _database;
    private readonly SqliteTables _tables;
    private readonly string _bumpHead;
    private readonly string _insertFullChunk;
    private readonly string[] _insertSmall;

    /// <summary>Deletes the positions a <see cref="StreamLogStatements.Trim"/> chunk chose, given as a JSON array.</summary>
    private readonly string _deleteTrimmed;

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
        : this(database ?? throw new ArgumentNullException(nameof(database)), new SqliteTables(database.TablePrefix), logger)
    {
    }

    private SqliteDurableStreamLog(SqliteDatabase database, SqliteTables t, ILogger? logger)
        : base(new StreamLogStatements(t.StreamEvents, t.StreamCheckpoints, t.StreamDeadLetters, t.StreamSubscriptions, postgreSql: false), logger)
    {
        _database = database;
        _tables = t;
        _bumpHead = $"""
            INSERT INTO {t.StreamHeads} AS h (stream_namespace, stream_key, last_sequence) VALUES (@ns, @key, @count)
            ON CONFLICT (stream_namespace, stream_key) DO UPDATE SET last_sequence = h.last_sequence + excluded.last_sequence
            RETURNING last_sequence;
            """;
        _insertFullChunk = InsertSql(InsertChunkRows);
        _deleteTrimmed = $"DELETE FROM {t.StreamEvents} WHERE position IN (SELECT value FROM json_each(@positions));";
        _insertSmall = [.. Enumerable.Range(0, PreparedInsertMaxRows + 1).Select(rows => rows == 0 ? string.Empty : InsertSql(rows))];
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

    private protected override async Task<IReadOnlyList<StoredStreamEvent>> ReadEventsAsync(
        string sql, string streamNamespace, string? streamKey, long after, int maxCount, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, sql);
        command.Parameters.AddWithValue("@ns", streamNamespace);
        if (streamKey is not null)
        {
            command.Parameters.AddWithValue("@key", streamKey);
        }

        command.Parameters.AddWithValue("@after", after);
        command.Parameters.AddWithValue("@max", maxCount);
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

    private protected override async Task<long> ReadCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, Sql.GetCheckpoint);
        AddStream(command, streamId);
        command.Parameters.AddWithValue("@consumer", consumerId);
        return (long?)await command.ExecuteScalarAsync(cancellationToken) ?? 0;
    }

    private protected override ValueTask WriteCheckpointRowAsync(
        string sql, StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken) =>
        new(_database.WriteStatementAsync(
            (connection, _, _) =>
            {
                var statement = _database.WriteStatement(connection, sql);
                BindCheckpoint(statement, streamId, consumerId, sequence);
                return Task.FromResult(statement.Execute());
            },
            cancellationToken));

    /// <summary>Every checkpoint in one IMMEDIATE transaction: one commit (one WAL sync point) for the whole batch.</summary>
    private protected override ValueTask SaveCheckpointBatchAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken) =>
        new(_database.WriteAsync(
            (connection, _, _) =>
            {
                // One prepared statement re-bound per checkpoint.
                var statement = _database.WriteStatement(connection, Sql.SaveCheckpoint);
                var written = 0;
                foreach (var checkpoint in checkpoints)
                {
                    BindCheckpoint(statement, checkpoint.StreamId, checkpoint.ConsumerId, checkpoint.Sequence);
                    written += statement.Execute();
                }

                return Task.FromResult(written);
            },
            cancellationToken));

    private protected override Task DeleteCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken) =>
        _database.WriteStatementAsync(
            (connection, _, _) =>
            {
                var statement = _database.WriteStatement(connection, Sql.RemoveCheckpoint);
                BindStream(statement, streamId);
                statement.Bind("@consumer", consumerId);
                return Task.FromResult(statement.Execute());
            },
            cancellationToken);

    private protected override Task InsertDeadLetterAsync(DeadLetter deadLetter, byte[] payload, CancellationToken cancellationToken) =>
        _database.WriteStatementAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, Sql.InsertDeadLetter, transaction);
                AddStream(command, deadLetter.StreamId);
                command.Parameters.AddWithValue("@consumer", deadLetter.ConsumerId);
                command.Parameters.AddWithValue("@sequence", deadLetter.Sequence);
                command.Parameters.AddWithValue("@payload", payload);
                command.Parameters.AddWithValue("@attempts", deadLetter.Attempts);
                command.Parameters.AddWithValue("@error", deadLetter.Error);
                command.Parameters.AddWithValue("@failedAt", deadLetter.FailedAt.UtcTicks);
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);

    private protected override async Task<IReadOnlyList<DeadLetter>> ReadDeadLetterRowsAsync(StreamId streamId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, Sql.ReadDeadLetters);
        AddStream(command, streamId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            letters.Add(StreamLogSql.ReadDeadLetter(reader, streamId, (byte[])reader.GetValue(2)));
        }

        return letters;
    }

    private protected override Task InsertSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken) =>
        _database.WriteStatementAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, Sql.InsertSubscription, transaction);
                AddStream(command, subscription.StreamId);
                command.Parameters.AddWithValue("@subscription", StreamLogArguments.Format(subscription.SubscriptionId));
                command.Parameters.AddWithValue("@grainType", subscription.Subscriber.Type.Value);
                command.Parameters.AddWithValue("@grainKey", subscription.Subscriber.Key);
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);

    private protected override Task DeleteSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken) =>
        _database.WriteStatementAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, Sql.DeleteSubscription, transaction);
                AddStream(command, streamId);
                command.Parameters.AddWithValue("@subscription", StreamLogArguments.Format(subscriptionId));
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);

    private protected override async Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionRowsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, Sql.ReadSubscriptions);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var subscriptions = new List<StoredStreamSubscription>();
        while (await reader.ReadAsync(cancellationToken))
        {
            subscriptions.Add(StreamLogSql.ReadSubscription(reader, Guid.ParseExact(reader.GetString(2), "D")));
        }

        return subscriptions;
    }

    /// <summary>
    /// One chunk per write, so appends and checkpoints are not held up behind one long delete: the chosen rows, read in
    /// the statement's stream order (the last one is where the chunk stopped), then deleted in the same transaction.
    /// </summary>
    private protected override Task<(int Count, TrimCursor StoppedAt)> TrimChunkAsync(TrimCursor from, long cutoff, CancellationToken cancellationToken) =>
        _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                var positions = new List<long>();
                var stoppedAt = from;
                await using (var choose = _database.CreateCommand(connection, Sql.Trim, transaction))
                {
                    choose.Parameters.AddWithValue("@ns", from.Namespace);
                    choose.Parameters.AddWithValue("@key", from.Key);
                    choose.Parameters.AddWithValue("@cutoff", cutoff);
                    choose.Parameters.AddWithValue("@max", StreamLogSql.TrimChunkRows);
                    await using var reader = await choose.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        positions.Add(reader.GetInt64(0));
                        stoppedAt = new TrimCursor(reader.GetString(1), reader.GetString(2));
                    }
                }

                if (positions.Count == 0)
                {
                    return (0, from);
                }

                await using var delete = _database.CreateCommand(connection, _deleteTrimmed, transaction);
                delete.Parameters.AddWithValue("@positions", "[" + string.Join(',', positions.Select(p => p.ToString(CultureInfo.InvariantCulture))) + "]");
                return (await delete.ExecuteNonQueryAsync(ct), stoppedAt);
            },
            cancellationToken);

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

    private protected override async Task CreateSchemaAsync(CancellationToken cancellationToken)
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
            CREATE INDEX IF NOT EXISTS {t.Prefix}ix_stream_events_stream_time ON {t.StreamEvents} (stream_namespace, stream_key, timestamp_ticks);
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
            Logger, "SQLite stream log", $"{t.StreamEvents}, {t.StreamHeads}, {t.StreamCheckpoints}, {t.StreamDeadLetters}, {t.StreamSubscriptions}");
    }
}
