using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Grain state in PostgreSQL, one row per (grain type, grain key, state name). The payload is <c>bytea</c>, not
/// <c>jsonb</c>: the serializer's bytes are opaque to storage, and jsonb would re-parse every write, reorder keys
/// and drop duplicates, so what comes back would not be the bytes that went in. A clear keeps a tombstone row
/// (no payload, version bumped) so a version is never reused and a pre-clear ETag stays stale.
/// </summary>
public sealed class PostgresGrainStorage : IGrainStorage
{
    private readonly PostgresDatabase _database;
    private readonly IGrainStateSerializer _serializer;
    private readonly ILogger _logger;
    private readonly AsyncOnce _schema;
    private readonly string _table;
    private readonly string _read;
    private readonly string _readVersion;
    private readonly string _insert;
    private readonly string _update;
    private readonly string _clear;

    public PostgresGrainStorage(PostgresDatabase database, IGrainStateSerializer serializer, ILogger<PostgresGrainStorage>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(serializer);
        _database = database;
        _serializer = serializer;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _table = new PostgresTables(database.Schema).GrainState;
        const string Key = "grain_type = @type AND grain_key = @key AND state_name = @state";
        _read = $"SELECT version, payload FROM {_table} WHERE {Key};";
        _readVersion = $"SELECT version FROM {_table} WHERE {Key} AND payload IS NOT NULL;";
        _insert = $"""
            INSERT INTO {_table} AS g (grain_type, grain_key, state_name, version, payload)
            VALUES (@type, @key, @state, 1, @payload)
            ON CONFLICT (grain_type, grain_key, state_name)
            DO UPDATE SET version = g.version + 1, payload = excluded.payload WHERE g.payload IS NULL
            RETURNING version;
            """;
        _update = $"UPDATE {_table} SET version = version + 1, payload = @payload WHERE {Key} AND version = @version AND payload IS NOT NULL RETURNING version;";
        _clear = $"UPDATE {_table} SET version = version + 1, payload = NULL WHERE {Key} AND version = @version AND payload IS NOT NULL RETURNING version;";
        _schema = new AsyncOnce(CreateSchemaAsync);
    }

    /// <summary>Creates the table if needed; also done on first use.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync().WaitAsync(cancellationToken);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(_read);
        AddKey(command, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken) && !await reader.IsDBNullAsync(1, cancellationToken))
        {
            var payload = await reader.GetFieldValueAsync<byte[]>(1, cancellationToken);
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
        ArgumentNullException.ThrowIfNull(grainState);
        var payload = _serializer.Serialize(grainState.State);
        var expected = grainState.ETag;
        await InitializeAsync(cancellationToken);
        var hasVersion = VersionETag.TryParse(expected, out var version);
        if (expected is not null && !hasVersion)
        {
            throw await ConflictAsync("Write", stateName, grainId, expected, cancellationToken);
        }

        await using var command = _database.CreateCommand(expected is null ? _insert : _update);
        AddKey(command, stateName, grainId);
        command.Parameters.Add("payload", payload);
        if (expected is not null)
        {
            command.Parameters.Add("version", version);
        }

        var newVersion = (long?)await command.ExecuteScalarAsync(cancellationToken);
        if (newVersion is null)
        {
            throw await ConflictAsync("Write", stateName, grainId, expected, cancellationToken);
        }

        grainState.ETag = VersionETag.Format(newVersion.Value);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
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

        await using var command = _database.CreateCommand(_clear);
        AddKey(command, stateName, grainId);
        command.Parameters.Add("version", version);
        if (await command.ExecuteScalarAsync(cancellationToken) is null)
        {
            throw await ConflictAsync("Clear", stateName, grainId, expected, cancellationToken);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static void AddKey(NpgsqlCommand command, string stateName, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        command.Parameters.Add("type", grainId.Type.Value);
        command.Parameters.Add("key", grainId.Key);
        command.Parameters.Add("state", stateName);
    }

    private async Task<long?> ReadVersionAsync(string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(_readVersion);
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
        var ddl = $"""
            CREATE TABLE IF NOT EXISTS {_table} (
                grain_type text NOT NULL,
                grain_key text NOT NULL,
                state_name text NOT NULL,
                version bigint NOT NULL,
                payload bytea NULL,
                PRIMARY KEY (grain_type, grain_key, state_name)
            );
            """;
        await PostgresSchema.CreateAsync(_database, ddl, cancellationToken);
        AdoNetLog.SchemaReady(_logger, "PostgreSQL grain storage", _table);
    }
}
