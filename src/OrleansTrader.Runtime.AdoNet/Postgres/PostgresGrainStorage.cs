using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Grain state in PostgreSQL (see <see cref="AdoNetGrainStorage"/>). The payload is <c>bytea</c>, not <c>jsonb</c>:
/// the serializer's bytes are opaque to storage, and jsonb would re-parse every write, reorder keys and drop
/// duplicates, so what comes back would not be the bytes that went in.
/// </summary>
public sealed class PostgresGrainStorage : AdoNetGrainStorage
{
    private readonly PostgresDatabase _database;

    /// <summary>The live records among @states (a text array) in one query, on the primary key: see <see cref="ReadRowsAsync"/>.</summary>
    private readonly string _readManySql;

    public PostgresGrainStorage(PostgresDatabase database, IGrainStateSerializer serializer, ILogger<PostgresGrainStorage>? logger = null)
        : base(new PostgresTables((database ?? throw new ArgumentNullException(nameof(database))).SchemaInSql).GrainState, serializer, logger)
    {
        _database = database;
        _readManySql = $"SELECT state_name, version, payload FROM {Table} WHERE grain_type = @type AND grain_key = @key AND state_name = ANY(@states) AND payload IS NOT NULL;";
    }

    // The pooling builder reuses the state machine boxes, so the step from the shared flow to the driver allocates nothing per call.
    // Each command here that meets a session the server had ended (PostgresDatabase.SessionDropped) empties the pool's idle
    // sessions; a read runs again over a new session, and so does a write whose second run cannot apply it twice.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected override async ValueTask<(long Version, byte[] Payload)?> ReadRowAsync(
        string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        (long Version, byte[]? Payload)? row;
        try
        {
            row = await ReadStoredRowAsync(stateName, grainId, cancellationToken);
        }
        catch (Exception ex) when (PostgresDatabase.IsDroppedConnection(ex))
        {
            _database.SessionDropped(Logger, ex);
            row = await ReadStoredRowAsync(stateName, grainId, cancellationToken);
        }

        // A tombstone (no payload) is no record.
        return row is (var version, { } payload) ? (version, payload) : null;
    }

    /// <summary>Runs <see cref="AdoNetGrainStorage.ReadSql"/>: the row's version and payload (null for a tombstone), or null for no row.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(long Version, byte[]? Payload)?> ReadStoredRowAsync(string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(ReadSql);
        AddKey(command, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return (reader.GetInt64(0), await reader.IsDBNullAsync(1, cancellationToken) ? null : await reader.GetFieldValueAsync<byte[]>(1, cancellationToken));
    }

    private protected override Task<Dictionary<string, (long Version, byte[] Payload)>> ReadRowsAsync(
        IReadOnlyList<string> stateNames, GrainId grainId, CancellationToken cancellationToken) =>
        _database.RunAgainIfDroppedAsync(Logger, token => ReadRowsOnceAsync(stateNames, grainId, token), cancellationToken);

    private async Task<Dictionary<string, (long Version, byte[] Payload)>> ReadRowsOnceAsync(
        IReadOnlyList<string> stateNames, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(_readManySql);
        command.Parameters.Add("type", grainId.Type.Value);
        command.Parameters.Add("key", grainId.Key);
        command.Parameters.Add("states", stateNames.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<string, (long Version, byte[] Payload)>(stateNames.Count, StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows[reader.GetString(0)] = (reader.GetInt64(1), await reader.GetFieldValueAsync<byte[]>(2, cancellationToken));
        }

        return rows;
    }

    private protected override Task<long?> ReadVersionAsync(string stateName, GrainId grainId, CancellationToken cancellationToken) =>
        _database.RunAgainIfDroppedAsync(Logger, token => ReadVersionOnceAsync(stateName, grainId, token), cancellationToken);

    private async Task<long?> ReadVersionOnceAsync(string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(ReadVersionSql);
        AddKey(command, stateName, grainId);
        return (long?)await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// The write is conditional (on the version, or on no live record), so a second run cannot apply it twice. A session
    /// that ended during the first run may have committed it first: the second run then finds the version that run
    /// wrote and reports a conflict. When the stored record is exactly this write's (its payload, at the version after
    /// the expected one), the write took effect and is not a conflict (had another writer stored the same bytes there,
    /// the state would be the same); any other record is one.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected override async ValueTask<long?> WriteRowAsync(
        string stateName, GrainId grainId, byte[] payload, long? expectedVersion, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteRowOnceAsync(stateName, grainId, payload, expectedVersion, cancellationToken);
        }
        catch (Exception ex) when (PostgresDatabase.IsDroppedConnection(ex))
        {
            _database.SessionDropped(Logger, ex);
        }

        if (await WriteRowOnceAsync(stateName, grainId, payload, expectedVersion, cancellationToken) is { } written)
        {
            return written;
        }

        // A first record may have gone over a tombstone of any version, so only its payload can tell.
        return await ReadStoredRowAsync(stateName, grainId, cancellationToken) is (var version, { } stored)
            && (expectedVersion is null || version == expectedVersion + 1)
            && stored.AsSpan().SequenceEqual(payload)
                ? version
                : null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long?> WriteRowOnceAsync(
        string stateName, GrainId grainId, byte[] payload, long? expectedVersion, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(expectedVersion is null ? InsertSql : UpdateSql);
        AddKey(command, stateName, grainId);
        command.Parameters.Add("payload", payload);
        if (expectedVersion is { } version)
        {
            command.Parameters.Add("version", version);
        }

        return (long?)await _database.WriteScalarAsync(command, cancellationToken);
    }

    /// <summary>
    /// Conditional on the version as <see cref="WriteRowAsync"/> is, and run again the same way: after a first run that
    /// committed, a clear finds its tombstone at the version after the expected one and a delete finds no row.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected override async ValueTask<bool> ClearRowAsync(
        string stateName, GrainId grainId, long expectedVersion, bool forget, CancellationToken cancellationToken)
    {
        try
        {
            return await ClearRowOnceAsync(stateName, grainId, expectedVersion, forget, cancellationToken);
        }
        catch (Exception ex) when (PostgresDatabase.IsDroppedConnection(ex))
        {
            _database.SessionDropped(Logger, ex);
        }

        if (await ClearRowOnceAsync(stateName, grainId, expectedVersion, forget, cancellationToken))
        {
            return true;
        }

        var stored = await ReadStoredRowAsync(stateName, grainId, cancellationToken);
        return forget ? stored is null : stored is (var version, null) && version == expectedVersion + 1;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ClearRowOnceAsync(
        string stateName, GrainId grainId, long expectedVersion, bool forget, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(forget ? DeleteSql : ClearSql);
        AddKey(command, stateName, grainId);
        command.Parameters.Add("version", expectedVersion);
        return await _database.WriteScalarAsync(command, cancellationToken) is not null;
    }

    /// <summary>
    /// Not run again: between a first run that committed and a second, another writer's clear could leave a tombstone
    /// the second run would delete, and a version number could then be reused.
    /// </summary>
    private protected override async Task DeleteTombstoneAsync(string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(DeleteTombstoneSql);
        AddKey(command, stateName, grainId);
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

    private protected override async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var ddl = $"""
            CREATE TABLE IF NOT EXISTS {Table} (
                grain_type text NOT NULL,
                grain_key text NOT NULL,
                state_name text NOT NULL,
                version bigint NOT NULL,
                payload bytea NULL,
                PRIMARY KEY (grain_type, grain_key, state_name)
            );
            """;
        await PostgresSchema.CreateAsync(_database, ddl, cancellationToken);
        AdoNetLog.SchemaReady(Logger, "PostgreSQL grain storage", Table);
    }

    private static void AddKey(NpgsqlCommand command, string stateName, GrainId grainId)
    {
        command.Parameters.Add("type", grainId.Type.Value);
        command.Parameters.Add("key", grainId.Key);
        command.Parameters.Add("state", stateName);
    }
}
