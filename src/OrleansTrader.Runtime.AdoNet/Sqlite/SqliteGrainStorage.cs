using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Grain state in SQLite, one row per (grain type, grain key, state name), compared as exact text.
/// A clear keeps the row as a tombstone (no payload, version bumped) so a version number is never reused:
/// a writer holding an ETag from before the clear still conflicts after a new record is written.
/// </summary>
public sealed class SqliteGrainStorage : IGrainStorage
{
    private readonly SqliteDatabase _database;
    private readonly IGrainStateSerializer _serializer;
    private readonly ILogger _logger;
    private readonly AsyncOnce _schema;
    private readonly string _read;
    private readonly string _readVersion;
    private readonly string _insert;
    private readonly string _update;
    private readonly string _clear;
    private readonly string _createTable;

    public SqliteGrainStorage(SqliteDatabase database, IGrainStateSerializer serializer, ILogger<SqliteGrainStorage>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(serializer);
        _database = database;
        _serializer = serializer;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var table = new SqliteTables(database.TablePrefix).GrainState;
        const string Key = "grain_type = @type AND grain_key = @key AND state_name = @state";

        // A rowid table, not WITHOUT ROWID: states are kilobytes, and a WITHOUT ROWID (index) b-tree keeps only about
        // 1 KB of a row on its leaf page (4 KiB pages) and spills the rest to overflow pages, so each write of such a
        // state dirtied its leaf, its overflow chain and the freelist: several WAL frames per write instead of one.
        // Files created before keep their table; every statement here works on both layouts.
        _createTable = $"""
            CREATE TABLE IF NOT EXISTS {table} (
                grain_type TEXT NOT NULL,
                grain_key TEXT NOT NULL,
                state_name TEXT NOT NULL,
                version INTEGER NOT NULL,
                payload BLOB NULL,
                PRIMARY KEY (grain_type, grain_key, state_name)
            );
            """;
        _read = $"SELECT version, payload FROM {table} WHERE {Key};";
        _readVersion = $"SELECT version FROM {table} WHERE {Key} AND payload IS NOT NULL;";
        _insert = $"""
            INSERT INTO {table} AS g (grain_type, grain_key, state_name, version, payload)
            VALUES (@type, @key, @state, 1, @payload)
            ON CONFLICT (grain_type, grain_key, state_name)
            DO UPDATE SET version = g.version + 1, payload = excluded.payload WHERE g.payload IS NULL
            RETURNING version;
            """;
        _update = $"UPDATE {table} SET version = version + 1, payload = @payload WHERE {Key} AND version = @version AND payload IS NOT NULL RETURNING version;";
        _clear = $"UPDATE {table} SET version = version + 1, payload = NULL WHERE {Key} AND version = @version AND payload IS NOT NULL RETURNING version;";
        _schema = new AsyncOnce(CreateSchemaAsync);
    }

    /// <summary>Creates the table if needed; also done on first use.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync().WaitAsync(cancellationToken);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, _read);
        AddKey(command, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(1))
        {
            var payload = (byte[])reader.GetValue(1);
            grainState.State = _serializer.Deserialize<T>(payload);
            grainState.ETag = VersionETag.Format(reader.GetInt64(0));
            grainState.RecordExists = true;
            return;
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        var payload = _serializer.Serialize(grainState.State);
        var expected = grainState.ETag;
        await InitializeAsync(cancellationToken);
        var hasVersion = VersionETag.TryParse(expected, out var version);
        if (expected is not null && !hasVersion)
        {
            throw await ConflictAsync("Write", stateName, grainId, expected, cancellationToken);
        }

        var newVersion = await _database.WriteStatementAsync(
            (connection, _, _) =>
            {
                var statement = _database.WriteStatement(connection, expected is null ? _insert : _update);
                BindKey(statement, stateName, grainId);
                statement.Bind("@payload", payload);
                if (expected is not null)
                {
                    statement.Bind("@version", version);
                }

                return Task.FromResult(statement.ExecuteScalar());
            },
            cancellationToken);
        if (newVersion is null)
        {
            throw await ConflictAsync("Write", stateName, grainId, expected, cancellationToken);
        }

        grainState.ETag = VersionETag.Format(newVersion.Value);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        var expected = grainState.ETag;
        await InitializeAsync(cancellationToken);
        if (expected is null)
        {
            // Nothing to delete is success; a live record the caller does not know about is a conflict.
            if (await ReadVersionAsync(stateName, grainId, cancellationToken) is not null)
            {
                throw await ConflictAsync("Clear", stateName, grainId, expected, cancellationToken);
            }

            grainState.RecordExists = false;
            return;
        }

        if (!VersionETag.TryParse(expected, out var version))
        {
            throw await ConflictAsync("Clear", stateName, grainId, expected, cancellationToken);
        }

        var cleared = await _database.WriteStatementAsync(
            (connection, _, _) =>
            {
                var statement = _database.WriteStatement(connection, _clear);
                BindKey(statement, stateName, grainId);
                statement.Bind("@version", version);
                return Task.FromResult(statement.ExecuteScalar() is not null);
            },
            cancellationToken);
        if (!cleared)
        {
            throw await ConflictAsync("Clear", stateName, grainId, expected, cancellationToken);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static void AddKey(SqliteCommand command, string stateName, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        command.Parameters.AddWithValue("@type", grainId.Type.Value);
        command.Parameters.AddWithValue("@key", grainId.Key);
        command.Parameters.AddWithValue("@state", stateName);
    }

    private static void BindKey(SqliteWriteStatement statement, string stateName, GrainId grainId)
    {
        statement.Bind("@type", grainId.Type.Value);
        statement.Bind("@key", grainId.Key);
        statement.Bind("@state", stateName);
    }

    private async Task<long?> ReadVersionAsync(string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, _readVersion);
        AddKey(command, stateName, grainId);
        return (long?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private async Task<InconsistentStateException> ConflictAsync(
        string operation, string stateName, GrainId grainId, string? expected, CancellationToken cancellationToken)
    {
        var stored = await ReadVersionAsync(stateName, grainId, cancellationToken);
        var exception = GrainStateConflict.Create(operation, stateName, grainId, stored, expected);
        AdoNetLog.ETagConflict(_logger, operation, stateName, grainId.Type.Value, exception.StoredETag, expected);
        return exception;
    }

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        await _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, _createTable, transaction);
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);
        AdoNetLog.SchemaReady(_logger, "SQLite grain storage", new SqliteTables(_database.TablePrefix).GrainState);
    }
}
