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
        : base(new PostgresTables((database ?? throw new ArgumentNullException(nameof(database))).Schema).GrainState, serializer, logger)
    {
        _database = database;
        _readManySql = $"SELECT state_name, version, payload FROM {Table} WHERE grain_type = @type AND grain_key = @key AND state_name = ANY(@states) AND payload IS NOT NULL;";
    }

    // The pooling builder reuses the state machine boxes, so the step from the shared flow to the driver allocates nothing per call.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected override async ValueTask<(long Version, byte[] Payload)?> ReadRowAsync(
        string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(ReadSql);
        AddKey(command, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken) && !await reader.IsDBNullAsync(1, cancellationToken))
        {
            return (reader.GetInt64(0), await reader.GetFieldValueAsync<byte[]>(1, cancellationToken));
        }

        return null;
    }

    private protected override async Task<Dictionary<string, (long Version, byte[] Payload)>> ReadRowsAsync(
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

    private protected override async Task<long?> ReadVersionAsync(string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(ReadVersionSql);
        AddKey(command, stateName, grainId);
        return (long?)await command.ExecuteScalarAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected override async ValueTask<long?> WriteRowAsync(
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

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected override async ValueTask<bool> ClearRowAsync(
        string stateName, GrainId grainId, long expectedVersion, bool forget, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(forget ? DeleteSql : ClearSql);
        AddKey(command, stateName, grainId);
        command.Parameters.Add("version", expectedVersion);
        return await _database.WriteScalarAsync(command, cancellationToken) is not null;
    }

    private protected override async Task DeleteTombstoneAsync(string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(DeleteTombstoneSql);
        AddKey(command, stateName, grainId);
        await _database.WriteNonQueryAsync(command, cancellationToken);
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
