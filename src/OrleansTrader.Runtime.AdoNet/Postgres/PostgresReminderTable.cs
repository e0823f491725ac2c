using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>Reminders in PostgreSQL (see <see cref="AdoNetReminderTable"/>); ticks as bigint, since timestamptz keeps microseconds only.</summary>
public sealed class PostgresReminderTable : AdoNetReminderTable
{
    private readonly PostgresDatabase _database;

    public PostgresReminderTable(PostgresDatabase database, ILogger<PostgresReminderTable>? logger = null)
        : base(new PostgresTables((database ?? throw new ArgumentNullException(nameof(database))).Schema).Reminders, logger)
    {
        _database = database;
    }

    private protected override async Task<IReadOnlyList<ReminderEntry>> QueryAsync(
        string sql, GrainId? grainId, string? reminderName, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
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

    private protected override async Task UpsertAsync(ReminderEntry entry, string eTag, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(UpsertSql);
        AddGrain(command, entry.GrainId);
        command.Parameters.Add("name", entry.ReminderName);
        command.Parameters.Add("start", entry.StartAt.UtcTicks);
        command.Parameters.Add("period", entry.Period.Ticks);
        command.Parameters.Add("etag", eTag);
        await _database.WriteNonQueryAsync(command, cancellationToken);
    }

    private protected override async Task<int> RemoveAsync(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(RemoveSql);
        AddGrain(command, grainId);
        command.Parameters.Add("name", reminderName);
        command.Parameters.Add("etag", eTag);
        return await _database.WriteNonQueryAsync(command, cancellationToken);
    }

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
