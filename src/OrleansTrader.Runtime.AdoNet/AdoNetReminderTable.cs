using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Reminders in one SQL table. Times are stored as UTC ticks, so they round-trip exactly. The statements are the
/// same text in both dialects; each provider runs them with its own driver.
/// </summary>
public abstract class AdoNetReminderTable : IReminderTable
{
    private const string Columns = "grain_type, grain_key, reminder_name, start_at_ticks, period_ticks, etag";

    private readonly AsyncOnce _schema;
    private readonly string _readRows;
    private readonly string _readRow;
    private readonly string _readAll;

    private protected AdoNetReminderTable(string table, ILogger? logger)
    {
        Table = table;
        Logger = logger ?? NullLogger.Instance;
        _readRows = $"SELECT {Columns} FROM {table} WHERE grain_type = @type AND grain_key = @key ORDER BY reminder_name;";
        _readRow = $"SELECT {Columns} FROM {table} WHERE grain_type = @type AND grain_key = @key AND reminder_name = @name;";
        _readAll = $"SELECT {Columns} FROM {table} ORDER BY grain_type, grain_key, reminder_name;";
        UpsertSql = $"""
            INSERT INTO {table} ({Columns}) VALUES (@type, @key, @name, @start, @period, @etag)
            ON CONFLICT (grain_type, grain_key, reminder_name)
            DO UPDATE SET start_at_ticks = excluded.start_at_ticks, period_ticks = excluded.period_ticks, etag = excluded.etag;
            """;
        RemoveSql = $"DELETE FROM {table} WHERE grain_type = @type AND grain_key = @key AND reminder_name = @name AND etag = @etag;";
        _schema = new AsyncOnce(CreateSchemaAsync);
    }

    private protected string Table { get; }

    private protected ILogger Logger { get; }

    /// <summary>Binds @type, @key, @name, @start, @period, @etag.</summary>
    private protected string UpsertSql { get; }

    /// <summary>Binds @type, @key, @name, @etag.</summary>
    private protected string RemoveSql { get; }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync().WaitAsync(cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadRowsAsync(GrainId grainId, CancellationToken cancellationToken = default) =>
        QueryAsync(_readRows, grainId, reminderName: null, cancellationToken);

    public async Task<ReminderEntry?> ReadRowAsync(GrainId grainId, string reminderName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reminderName);
        var rows = await QueryAsync(_readRow, grainId, reminderName, cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadAllRowsAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(_readAll, grainId: null, reminderName: null, cancellationToken);

    public async Task<string> UpsertRowAsync(ReminderEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await InitializeAsync(cancellationToken);
        var eTag = ReminderETag.New();
        await UpsertAsync(entry, eTag, cancellationToken);
        return eTag;
    }

    public async Task<bool> RemoveRowAsync(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reminderName);
        ArgumentNullException.ThrowIfNull(eTag);
        await InitializeAsync(cancellationToken);
        return await RemoveAsync(grainId, reminderName, eTag, cancellationToken) > 0;
    }

    /// <summary>
    /// Runs a read after <see cref="InitializeAsync"/>, binding @type and @key when <paramref name="grainId"/> is given
    /// and @name when <paramref name="reminderName"/> is; each row through <see cref="ReadEntry"/>.
    /// </summary>
    private protected abstract Task<IReadOnlyList<ReminderEntry>> QueryAsync(
        string sql, GrainId? grainId, string? reminderName, CancellationToken cancellationToken);

    /// <summary>Runs <see cref="UpsertSql"/> for <paramref name="entry"/> with <paramref name="eTag"/>.</summary>
    private protected abstract Task UpsertAsync(ReminderEntry entry, string eTag, CancellationToken cancellationToken);

    /// <summary>Runs <see cref="RemoveSql"/>: the rows removed.</summary>
    private protected abstract Task<int> RemoveAsync(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken);

    private protected abstract Task CreateSchemaAsync(CancellationToken cancellationToken);

    /// <summary>One row of the reads, columns in <see cref="Columns"/> order.</summary>
    private protected static ReminderEntry ReadEntry(DbDataReader reader) => new()
    {
        GrainId = new GrainId(new GrainType(reader.GetString(0)), reader.GetString(1)),
        ReminderName = reader.GetString(2),
        StartAt = new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
        Period = TimeSpan.FromTicks(reader.GetInt64(4)),
        ETag = reader.GetString(5),
    };
}
