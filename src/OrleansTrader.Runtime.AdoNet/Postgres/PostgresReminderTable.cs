using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>Reminders in PostgreSQL. Times are stored as UTC ticks (bigint), so they round-trip exactly (timestamptz keeps microseconds only).</summary>
public sealed class PostgresReminderTable : IReminderTable
{
    private const string Columns = "grain_type, grain_key, reminder_name, start_at_ticks, period_ticks, etag";

    private readonly PostgresDatabase _database;
    private readonly ILogger _logger;
    private readonly AsyncOnce _schema;
    private readonly string _table;
    private readonly string _readRows;
    private readonly string _readRow;
    private readonly string _readAll;
    private readonly string _upsert;
    private readonly string _remove;

    public PostgresReminderTable(PostgresDatabase database, ILogger<PostgresReminderTable>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _table = new PostgresTables(database.Schema).Reminders;
        _readRows = $"SELECT {Columns} FROM {_table} WHERE grain_type = @type AND grain_key = @key ORDER BY reminder_name;";
        _readRow = $"SELECT {Columns} FROM {_table} WHERE grain_type = @type AND grain_key = @key AND reminder_name = @name;";
        _readAll = $"SELECT {Columns} FROM {_table} ORDER BY grain_type, grain_key, reminder_name;";
        _upsert = $"""
            INSERT INTO {_table} ({Columns}) VALUES (@type, @key, @name, @start, @period, @etag)
            ON CONFLICT (grain_type, grain_key, reminder_name)
            DO UPDATE SET start_at_ticks = excluded.start_at_ticks, period_ticks = excluded.period_ticks, etag = excluded.etag;
            """;
        _remove = $"DELETE FROM {_table} WHERE grain_type = @type AND grain_key = @key AND reminder_name = @name AND etag = @etag;";
        _schema = new AsyncOnce(CreateSchemaAsync);
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync().WaitAsync(cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadRowsAsync(GrainId grainId, CancellationToken cancellationToken = default) =>
        QueryAsync(_readRows, command => AddGrain(command, grainId), cancellationToken);

    public async Task<ReminderEntry?> ReadRowAsync(GrainId grainId, string reminderName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reminderName);
        var rows = await QueryAsync(
            _readRow,
            command =>
            {
                AddGrain(command, grainId);
                command.Parameters.Add("name", reminderName);
            },
            cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadAllRowsAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(_readAll, _ => { }, cancellationToken);

    public async Task<string> UpsertRowAsync(ReminderEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await InitializeAsync(cancellationToken);
        var eTag = ReminderETag.New();
        await using var command = _database.CreateCommand(_upsert);
        AddGrain(command, entry.GrainId);
        command.Parameters.Add("name", entry.ReminderName);
        command.Parameters.Add("start", entry.StartAt.UtcTicks);
        command.Parameters.Add("period", entry.Period.Ticks);
        command.Parameters.Add("etag", eTag);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return eTag;
    }

    public async Task<bool> RemoveRowAsync(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reminderName);
        ArgumentNullException.ThrowIfNull(eTag);
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(_remove);
        AddGrain(command, grainId);
        command.Parameters.Add("name", reminderName);
        command.Parameters.Add("etag", eTag);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static void AddGrain(NpgsqlCommand command, GrainId grainId)
    {
        command.Parameters.Add("type", grainId.Type.Value);
        command.Parameters.Add("key", grainId.Key);
    }

    private async Task<IReadOnlyList<ReminderEntry>> QueryAsync(
        string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var command = _database.CreateCommand(sql);
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<ReminderEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ReminderEntry
            {
                GrainId = new GrainId(new GrainType(reader.GetString(0)), reader.GetString(1)),
                ReminderName = reader.GetString(2),
                StartAt = new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                Period = TimeSpan.FromTicks(reader.GetInt64(4)),
                ETag = reader.GetString(5),
            });
        }

        return rows;
    }

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var ddl = $"""
            CREATE TABLE IF NOT EXISTS {_table} (
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
        AdoNetLog.SchemaReady(_logger, "PostgreSQL reminders", _table);
    }
}
