using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>Reminders in PostgreSQL (see <see cref="AdoNetReminderTable"/>); ticks as bigint, since timestamptz keeps microseconds only.</summary>
public sealed class PostgresReminderTable : AdoNetReminderTable
{
    private readonly PostgresDatabase _database;

    public PostgresReminderTable(PostgresDatabase database, ILogger<PostgresReminderTable>? logger = null)
        : base(new PostgresTables((database ?? throw new ArgumentNullException(nameof(database))).SchemaInSql).Reminders, logger)
    {
        _database = database;
    }

    private protected override async Task<IReadOnlyList<ReminderEntry>> QueryAsync(
        string sql, GrainId? grainId, string? reminderName, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        return await _database.RunAgainIfDroppedAsync(Logger, token => QueryOnceAsync(sql, grainId, reminderName, token), cancellationToken);
    }

    private async Task<IReadOnlyList<ReminderEntry>> QueryOnceAsync(
        string sql, GrainId? grainId, string? reminderName, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(sql);
        if (grainId is { } grain)
        {
            AddGrain(command, grain);
        }

        if (reminderName is not null)
        {
            command.Parameters.Add("name", reminderName);
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
        WriteAsync(UpsertSql, entry.GrainId, entry.ReminderName, eTag, entry, cancellationToken);

    private protected override Task<int> RemoveAsync(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken) =>
        WriteAsync(RemoveSql, grainId, reminderName, eTag, entry: null, cancellationToken);

    /// <summary>
    /// Runs <see cref="AdoNetReminderTable.UpsertSql"/> (with <paramref name="entry"/>) or
    /// <see cref="AdoNetReminderTable.RemoveSql"/> in a transaction of its own: the rows written. Neither is safe to run
    /// again once it may have committed (a second upsert could bring back a reminder removed in between, a second remove
    /// would report its row missing), but one whose session ended before COMMIT was sent runs again
    /// (<see cref="PostgresDatabase.InOwnTransactionAsync"/>). The transaction costs a round trip for the COMMIT, on writes
    /// as rare as registering and unregistering a reminder.
    /// </summary>
    private Task<int> WriteAsync(string sql, GrainId grainId, string reminderName, string eTag, ReminderEntry? entry, CancellationToken cancellationToken) =>
        _database.InOwnTransactionAsync(Logger, async (connection, transaction, token) =>
        {
            await using var command = _database.CreateCommand(connection, sql, transaction);
            AddGrain(command, grainId);
            command.Parameters.Add("name", reminderName);
            command.Parameters.Add("etag", eTag);
            if (entry is not null)
            {
                command.Parameters.Add("start", entry.StartAt.UtcTicks);
                command.Parameters.Add("period", entry.Period.Ticks);
            }

            return await command.ExecuteNonQueryAsync(token);
        }, cancellationToken);

    private protected override async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var ddl = $"""
            CREATE TABLE IF NOT EXISTS {Table} (
                grain_type text NOT NULL,
                grain_key text NOT NULL,
                reminder_name text NOT NULL,
                start_at_ticks bigint NOT NULL,
                period_ticks bigint NOT NULL,
                etag text NOT NULL,
                PRIMARY KEY (grain_type, grain_key, reminder_name)
            );
            """;
        await PostgresSchema.CreateAsync(_database, ddl, cancellationToken);
        AdoNetLog.SchemaReady(Logger, "PostgreSQL reminders", Table);
    }

    private static void AddGrain(NpgsqlCommand command, GrainId grainId)
    {
        command.Parameters.Add("type", grainId.Type.Value);
        command.Parameters.Add("key", grainId.Key);
    }
}
