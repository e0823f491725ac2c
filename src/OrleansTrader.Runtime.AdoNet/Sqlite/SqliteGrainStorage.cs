using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Grain state in SQLite (see <see cref="AdoNetGrainStorage"/>), keys compared as exact text. Writes go through the
/// database's write statements (group commit); reads use pooled read connections.
/// </summary>
public sealed class SqliteGrainStorage : AdoNetGrainStorage
{
    private readonly SqliteDatabase _database;

    /// <summary>
    /// The tombstone as <see cref="AdoNetGrainStorage.ClearSql"/> leaves it, written by deleting the row and inserting it
    /// again (REPLACE) rather than updating it in place. An update that shrinks a row never rebalances its b-tree page, so
    /// the tombstone of a record of kilobytes (a history page, a trade page) stayed alone on the 4 KiB leaf page the record
    /// had filled: clearing gave no space back, and a file keeping the newest N pages of a name that moves on (history-N)
    /// grew by a page per page written, as if nothing was cleared. The delete frees that page for reuse, and the tombstone
    /// (a few dozen bytes) goes in with the newest rows.
    /// </summary>
    private readonly string _clearSql;

    public SqliteGrainStorage(SqliteDatabase database, IGrainStateSerializer serializer, ILogger<SqliteGrainStorage>? logger = null)
        : base(new SqliteTables((database ?? throw new ArgumentNullException(nameof(database))).TablePrefix).GrainState, serializer, logger)
    {
        _database = database;
        _clearSql = $"""
            INSERT OR REPLACE INTO {Table} (grain_type, grain_key, state_name, version, payload)
            SELECT grain_type, grain_key, state_name, version + 1, NULL FROM {Table}
            WHERE grain_type = @type AND grain_key = @key AND state_name = @state AND version = @version AND payload IS NOT NULL
            RETURNING version;
            """;
    }

    // The pooling builder reuses the state machine box, so the step from the shared flow to the driver allocates nothing per read.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected override async ValueTask<(long Version, byte[] Payload)?> ReadRowAsync(
        string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, ReadSql);
        AddKey(command, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(1))
        {
            return (reader.GetInt64(0), (byte[])reader.GetValue(1));
        }

        return null;
    }

    /// <summary>One query with a parameter per name (@s0, @s1, ...) in an IN list, answered from the primary key.</summary>
    private protected override async Task<Dictionary<string, (long Version, byte[] Payload)>> ReadRowsAsync(
        IReadOnlyList<string> stateNames, GrainId grainId, CancellationToken cancellationToken)
    {
        var placeholders = string.Join(", ", Enumerable.Range(0, stateNames.Count).Select(i => "@s" + i.ToString(CultureInfo.InvariantCulture)));
        var sql = $"SELECT state_name, version, payload FROM {Table} WHERE grain_type = @type AND grain_key = @key AND state_name IN ({placeholders}) AND payload IS NOT NULL;";
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, sql);
        command.Parameters.AddWithValue("@type", grainId.Type.Value);
        command.Parameters.AddWithValue("@key", grainId.Key);
        for (var i = 0; i < stateNames.Count; i++)
        {
            command.Parameters.AddWithValue("@s" + i.ToString(CultureInfo.InvariantCulture), stateNames[i]);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<string, (long Version, byte[] Payload)>(stateNames.Count, StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows[reader.GetString(0)] = (reader.GetInt64(1), (byte[])reader.GetValue(2));
        }

        return rows;
    }

    private protected override async Task<long?> ReadVersionAsync(string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, ReadVersionSql);
        AddKey(command, stateName, grainId);
        return (long?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private protected override ValueTask<long?> WriteRowAsync(
        string stateName, GrainId grainId, byte[] payload, long? expectedVersion, CancellationToken cancellationToken) =>
        new(_database.WriteStatementAsync(
            (connection, _, _) =>
            {
                var statement = _database.WriteStatement(connection, expectedVersion is null ? InsertSql : UpdateSql);
                BindKey(statement, stateName, grainId);
                statement.Bind("@payload", payload);
                if (expectedVersion is { } version)
                {
                    statement.Bind("@version", version);
                }

                return Task.FromResult(statement.ExecuteScalar());
            },
            cancellationToken));

    private protected override ValueTask<bool> ClearRowAsync(
        string stateName, GrainId grainId, long expectedVersion, bool forget, CancellationToken cancellationToken) =>
        new(_database.WriteStatementAsync(
            (connection, _, _) =>
            {
                var statement = _database.WriteStatement(connection, forget ? DeleteSql : _clearSql);
                BindKey(statement, stateName, grainId);
                statement.Bind("@version", expectedVersion);
                return Task.FromResult(statement.ExecuteScalar() is not null);
            },
            cancellationToken));

    private protected override Task DeleteTombstoneAsync(string stateName, GrainId grainId, CancellationToken cancellationToken) =>
        _database.WriteStatementAsync(
            (connection, _, _) =>
            {
                var statement = _database.WriteStatement(connection, DeleteTombstoneSql);
                BindKey(statement, stateName, grainId);
                return Task.FromResult(statement.Execute());
            },
            cancellationToken);

    private protected override async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        // A rowid table, not WITHOUT ROWID: states are kilobytes, and a WITHOUT ROWID (index) b-tree keeps only about
        // 1 KB of a row on its leaf page (4 KiB pages) and spills the rest to overflow pages, so each write of such a
        // state dirtied its leaf, its overflow chain and the freelist: several WAL frames per write instead of one.
        // Files created before keep their table; every statement here works on both layouts.
        var ddl = $"""
            CREATE TABLE IF NOT EXISTS {Table} (
                grain_type TEXT NOT NULL,
                grain_key TEXT NOT NULL,
                state_name TEXT NOT NULL,
                version INTEGER NOT NULL,
                payload BLOB NULL,
                PRIMARY KEY (grain_type, grain_key, state_name)
            );
            """;
        await _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, ddl, transaction);
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);
        AdoNetLog.SchemaReady(Logger, "SQLite grain storage", Table);
    }

    private static void AddKey(SqliteCommand command, string stateName, GrainId grainId)
    {
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
}
