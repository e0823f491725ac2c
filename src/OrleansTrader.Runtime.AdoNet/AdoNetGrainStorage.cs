using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Grain state in one SQL table, one row per (grain type, grain key, state name), with the version as the ETag.
/// A clear keeps the row as a tombstone (no payload, version bumped) so a version number is never reused: a writer
/// holding an ETag from before the clear still conflicts after a new record is written. A delete (for names never
/// written again, see <see cref="IGrainStorage.DeleteStateAsync{T}"/>) removes the row instead. The statements are the same
/// text in both dialects; each provider runs them with its own driver.
/// </summary>
public abstract class AdoNetGrainStorage : IGrainStorage
{
    private const string Key = "grain_type = @type AND grain_key = @key AND state_name = @state";

    private readonly IGrainStateSerializer _serializer;
    private readonly ILogger _logger;
    private readonly AsyncOnce _schema;

    private protected AdoNetGrainStorage(string table, IGrainStateSerializer serializer, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        _serializer = serializer;
        _logger = logger ?? NullLogger.Instance;
        Table = table;
        ReadSql = $"SELECT version, payload FROM {table} WHERE {Key};";
        ReadVersionSql = $"SELECT version FROM {table} WHERE {Key} AND payload IS NOT NULL;";
        InsertSql = $"""
            INSERT INTO {table} AS g (grain_type, grain_key, state_name, version, payload)
            VALUES (@type, @key, @state, 1, @payload)
            ON CONFLICT (grain_type, grain_key, state_name)
            DO UPDATE SET version = g.version + 1, payload = excluded.payload WHERE g.payload IS NULL
            RETURNING version;
            """;
        UpdateSql = $"UPDATE {table} SET version = version + 1, payload = @payload WHERE {Key} AND version = @version AND payload IS NOT NULL RETURNING version;";
        ClearSql = $"UPDATE {table} SET version = version + 1, payload = NULL WHERE {Key} AND version = @version AND payload IS NOT NULL RETURNING version;";
        DeleteSql = $"DELETE FROM {table} WHERE {Key} AND version = @version AND payload IS NOT NULL RETURNING version;";
        DeleteTombstoneSql = $"DELETE FROM {table} WHERE {Key} AND payload IS NULL;";
        _schema = new AsyncOnce(CreateSchemaAsync);
    }

    /// <summary>
    /// The most names one bulk read binds: far below SQLite's 32,766 host parameters (999 before 3.32) and small enough
    /// that a chunk of history pages (about 3 KB each) stays under a megabyte in flight.
    /// </summary>
    private protected const int ReadChunkSize = 256;

    private protected string Table { get; }

    private protected ILogger Logger => _logger;

    /// <summary>Version and payload (null for a tombstone); binds @type, @key, @state.</summary>
    private protected string ReadSql { get; }

    /// <summary>The live record's version; binds @type, @key, @state.</summary>
    private protected string ReadVersionSql { get; }

    /// <summary>A first record, or one over a tombstone; binds @type, @key, @state, @payload and returns the new version.</summary>
    private protected string InsertSql { get; }

    /// <summary>Replaces the record at @version; binds @type, @key, @state, @payload, @version and returns the new version.</summary>
    private protected string UpdateSql { get; }

    /// <summary>Tombstones the record at @version; binds @type, @key, @state, @version and returns the new version.</summary>
    private protected string ClearSql { get; }

    /// <summary>Deletes the record at @version, row and all; binds @type, @key, @state, @version and returns the deleted version.</summary>
    private protected string DeleteSql { get; }

    /// <summary>Deletes the tombstone, if any (never a live record); binds @type, @key, @state.</summary>
    private protected string DeleteTombstoneSql { get; }

    /// <summary>Creates the table if needed; also done on first use.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync().WaitAsync(cancellationToken);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        await InitializeAsync(cancellationToken);
        if (await ReadRowAsync(stateName, grainId, cancellationToken) is var (version, payload))
        {
            grainState.State = _serializer.Deserialize<T>(payload);
            grainState.ETag = VersionETag.Format(version);
            grainState.RecordExists = true;
            return;
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>
    /// Reads the records in one query per <see cref="ReadChunkSize"/> names: a grain reading a run of its records (an
    /// account's retained history pages) pays a round trip per chunk rather than per record.
    /// </summary>
    public async Task<IReadOnlyList<GrainState<T>>> ReadRecordsAsync<T>(
        IReadOnlyList<string> stateNames, GrainId grainId, CancellationToken cancellationToken = default)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(stateNames);
        await InitializeAsync(cancellationToken);
        var records = new GrainState<T>[stateNames.Count];
        for (var start = 0; start < records.Length; start += ReadChunkSize)
        {
            var chunk = Distinct(stateNames, start, Math.Min(ReadChunkSize, records.Length - start));
            var rows = await ReadRowsAsync(chunk, grainId, cancellationToken);
            for (var i = start; i < Math.Min(start + ReadChunkSize, records.Length); i++)
            {
                var record = new GrainState<T>(new T());
                if (rows.TryGetValue(stateNames[i], out var row))
                {
                    record.State = _serializer.Deserialize<T>(row.Payload) ?? new T();
                    record.ETag = VersionETag.Format(row.Version);
                    record.RecordExists = true;
                }

                records[i] = record;
            }
        }

        return records;
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

        var newVersion = await WriteRowAsync(stateName, grainId, payload, expected is null ? null : version, cancellationToken);
        if (newVersion is null)
        {
            throw await ConflictAsync("Write", stateName, grainId, expected, cancellationToken);
        }

        grainState.ETag = VersionETag.Format(newVersion.Value);
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        RemoveAsync(stateName, grainId, grainState, forget: false, cancellationToken);

    public Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        RemoveAsync(stateName, grainId, grainState, forget: true, cancellationToken);

    /// <summary>A clear (the row stays as a tombstone) or, with <paramref name="forget"/>, a delete of the row; same ETag condition.</summary>
    private async Task RemoveAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, bool forget, CancellationToken cancellationToken)
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

            if (forget)
            {
                await DeleteTombstoneAsync(stateName, grainId, cancellationToken);
            }

            grainState.RecordExists = false;
            return;
        }

        if (!VersionETag.TryParse(expected, out var version))
        {
            throw await ConflictAsync("Clear", stateName, grainId, expected, cancellationToken);
        }

        if (!await ClearRowAsync(stateName, grainId, version, forget, cancellationToken))
        {
            throw await ConflictAsync("Clear", stateName, grainId, expected, cancellationToken);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Runs <see cref="ReadSql"/>: the live record's version and payload, or null for none or a tombstone.</summary>
    private protected abstract ValueTask<(long Version, byte[] Payload)?> ReadRowAsync(
        string stateName, GrainId grainId, CancellationToken cancellationToken);

    /// <summary>
    /// The live records among <paramref name="stateNames"/> (distinct, at most <see cref="ReadChunkSize"/>) in one query,
    /// by state name; a tombstone or a missing name is left out.
    /// </summary>
    private protected abstract Task<Dictionary<string, (long Version, byte[] Payload)>> ReadRowsAsync(
        IReadOnlyList<string> stateNames, GrainId grainId, CancellationToken cancellationToken);

    /// <summary>Runs <see cref="ReadVersionSql"/>.</summary>
    private protected abstract Task<long?> ReadVersionAsync(string stateName, GrainId grainId, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <see cref="InsertSql"/> (no <paramref name="expectedVersion"/>) or <see cref="UpdateSql"/>: the new version,
    /// or null when the stored record is not the expected one.
    /// </summary>
    private protected abstract ValueTask<long?> WriteRowAsync(
        string stateName, GrainId grainId, byte[] payload, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <see cref="ClearSql"/> or, with <paramref name="forget"/>, <see cref="DeleteSql"/>: false when the stored record
    /// is not at <paramref name="expectedVersion"/>.
    /// </summary>
    private protected abstract ValueTask<bool> ClearRowAsync(
        string stateName, GrainId grainId, long expectedVersion, bool forget, CancellationToken cancellationToken);

    /// <summary>Runs <see cref="DeleteTombstoneSql"/>.</summary>
    private protected abstract Task DeleteTombstoneAsync(string stateName, GrainId grainId, CancellationToken cancellationToken);

    private protected abstract Task CreateSchemaAsync(CancellationToken cancellationToken);

    private static List<string> Distinct(IReadOnlyList<string> stateNames, int start, int count)
    {
        var seen = new HashSet<string>(count, StringComparer.Ordinal);
        var distinct = new List<string>(count);
        for (var i = start; i < start + count; i++)
        {
            ArgumentNullException.ThrowIfNull(stateNames[i], nameof(stateNames));
            if (seen.Add(stateNames[i]))
            {
                distinct.Add(stateNames[i]);
            }
        }

        return distinct;
    }

    private async Task<InconsistentStateException> ConflictAsync(
        string operation, string stateName, GrainId grainId, string? expected, CancellationToken cancellationToken)
    {
        long? stored;
        var storedKnown = true;
        try
        {
            stored = await ReadVersionAsync(stateName, grainId, cancellationToken);
        }
        catch (DbException)
        {
            // The conflict is already certain; this read only fills in the message. Failing it must not turn the
            // conflict (which makes the runtime reload the grain) into a database error a caller would take as transient.
            stored = null;
            storedKnown = false;
        }

        var exception = GrainStateConflict.Create(operation, stateName, grainId, stored, expected, storedKnown);
        AdoNetLog.ETagConflict(_logger, operation, stateName, grainId.Type.Value, exception.StoredETag, expected);
        return exception;
    }
}
