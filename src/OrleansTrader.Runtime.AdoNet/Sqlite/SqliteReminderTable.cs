using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>Reminders in SQLite (see <see cref="AdoNetReminderTable"/>); writes go through the database's write queue.</summary>
public sealed class SqliteReminderTable : AdoNetReminderTable
{
    private readonly SqliteDatabase _database;

    public SqliteReminderTable(SqliteDatabase database, ILogger<SqliteReminderTable>? logger = null)
        : base(new SqliteTables((database ?? throw new ArgumentNullException(nameof(database))).TablePrefix).Reminders, logger)
    {
        _database = database;
    }

    private protected override async Task<IReadOnlyList<ReminderEntry>> QueryAsync(
        string sql, GrainId? grainId, string? reminderName, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = _database.CreateCommand(connection, sql);
        if (grainId is { } grain)
        {
            AddGrain(command, grain);
        }

        if (reminderName is not null)
        {
            command.Parameters.AddWithValue("@name", reminderName);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<ReminderEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(ReadEntry(reader));
        }

        return rows;
    }

    private protected override Task UpsertAsync(ReminderEntry entry, string eTag, CancellationToken cancellationToken) =>
        _database.WriteStatementAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, UpsertSql, transaction);
                AddGrain(command, entry.GrainId);
                command.Parameters.AddWithValue("@name", entry.ReminderName);
                command.Parameters.AddWithValue("@start", entry.StartAt.UtcTicks);
                command.Parameters.AddWithValue("@period", entry.Period.Ticks);
                command.Parameters.AddWithValue("@etag", eTag);
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);

    private protected override Task<int> RemoveAsync(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken) =>
        _database.WriteStatementAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, RemoveSql, transaction);
                AddGrain(command, grainId);
                command.Parameters.AddWithValue("@name", reminderName);
                command.Parameters.AddWithValue("@etag", eTag);
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);

    private protected override async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var ddl = $"""
            CREATE TABLE IF NOT EXISTS {Table} (
                grain_type TEXT NOT NULL,
                grain_key TEXT NOT NULL,
                reminder_name TEXT NOT NULL,
                start_at_ticks INTEGER NOT NULL,
                period_ticks INTEGER NOT NULL,
                etag TEXT NOT NULL,
                PRIMARY KEY (grain_type, grain_key, reminder_name)
            ) WITHOUT ROWID;
            """;
        await _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = _database.CreateCommand(connection, ddl, transaction);
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);
        AdoNetLog.SchemaReady(Logger, "SQLite reminders", Table);
    }

    private static void AddGrain(SqliteCommand command, GrainId grainId)
    {
        command.Parameters.AddWithValue("@type", grainId.Type.Value);
        command.Parameters.AddWithValue("@key", grainId.Key);
    }
}
