using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// One SQLite database file as the providers use it: pooled connections opened with a busy timeout and
/// synchronous=NORMAL (safe with WAL: a crash can lose the last commits but never corrupts the file),
/// WAL journal mode set once, and an in-process write gate. SQLite admits one writer at a time; queuing writers
/// here, instead of letting them collide on the file lock and back off in SQLite's busy handler, keeps write
/// latency flat under concurrency. The busy timeout still covers other processes and other instances on the file.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private static readonly Lazy<bool> NativeLibrary = new(() =>
    {
        SQLitePCL.Batteries_V2.Init();
        return true;
    });

    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly AsyncOnce _journalMode;
    private SqliteConnection? _writeConnection;

    public SqliteDatabase(SqliteStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SqliteStorageOptionsValidator.ThrowIfInvalid(options);
        _ = NativeLibrary.Value;

        var builder = BuildConnectionString(options);
        FilePath = Path.GetFullPath(builder.DataSource);
        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = builder.ToString();
        TablePrefix = options.TablePrefix;
        CommandTimeoutSeconds = CommandTimeouts.ToSeconds(options.CommandTimeout);
        var busyMilliseconds = (long)Math.Ceiling(options.BusyTimeout.TotalMilliseconds);
        _connectionPragmas = string.Create(
            CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {busyMilliseconds}; PRAGMA synchronous = NORMAL;");
        _journalMode = new AsyncOnce(SetWalModeAsync);
    }

    /// <summary>The absolute path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>The validated table prefix.</summary>
    public string TablePrefix { get; }

    internal int CommandTimeoutSeconds { get; }

    /// <summary>Opens a pooled connection with the per-connection settings applied; WAL mode is ensured on first use.</summary>
    public async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        await _journalMode.EnsureAsync().WaitAsync(cancellationToken);
        return await OpenRawAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> as the only writer of this instance, inside an IMMEDIATE transaction.</summary>
    internal Task<T> WriteAsync<T>(
        Func<SqliteConnection, SqliteTransaction?, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        WriteCoreAsync(work, inTransaction: true, cancellationToken);

    /// <summary>Runs one statement as the only writer of this instance; a single statement is atomic on its own.</summary>
    internal Task<T> WriteStatementAsync<T>(
        Func<SqliteConnection, SqliteTransaction?, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        WriteCoreAsync(work, inTransaction: false, cancellationToken);

    internal SqliteCommand CreateCommand(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.CommandTimeout = CommandTimeoutSeconds;
        return command;
    }

    /// <summary>Closes the write connection and drops this file's pooled connections so the file can be closed, moved or deleted.</summary>
    public void Dispose()
    {
        _writeConnection?.Dispose();
        _writeConnection = null;
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeGate.Dispose();
    }

    internal static SqliteConnectionStringBuilder BuildConnectionString(SqliteStorageOptions options)
    {
        var builder = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = options.DataSource }
            : new SqliteConnectionStringBuilder(options.ConnectionString);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            builder.Mode = SqliteOpenMode.ReadWriteCreate;
            builder.Cache = SqliteCacheMode.Private;
            builder.Pooling = true;
        }

        builder.DefaultTimeout = CommandTimeouts.ToSeconds(options.CommandTimeout);
        return builder;
    }

    private async Task<T> WriteCoreAsync<T>(
        Func<SqliteConnection, SqliteTransaction?, CancellationToken, Task<T>> work, bool inTransaction, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            // Writers take turns, so one long-lived connection serves them all: no pool round trip and no
            // per-open pragmas on the write path.
            var connection = _writeConnection ??= await OpenConnectionAsync(cancellationToken);
            try
            {
                if (!inTransaction)
                {
                    return await work(connection, null, cancellationToken);
                }

                // deferred: false is BEGIN IMMEDIATE: take the write lock up front, so a read inside the transaction
                // can never need an upgrade that another writer would make fail.
                await using var transaction = connection.BeginTransaction(deferred: false);
                var result = await work(connection, transaction, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch
            {
                // After a failure the connection's state is unknown; the next writer starts from a fresh one.
                _writeConnection = null;
                await connection.DisposeAsync();
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = CreateCommand(connection, _connectionPragmas);
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task SetWalModeAsync(CancellationToken cancellationToken)
    {
        // WAL is a property of the file, so it sticks once set; readers then never block the writer or each other.
        await using var connection = await OpenRawAsync(cancellationToken);
        await using var command = CreateCommand(connection, "PRAGMA journal_mode = WAL;");
        var mode = (string?)await command.ExecuteScalarAsync(cancellationToken);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL journal mode for '{FilePath}' (it reports '{mode}').");
        }
    }
}
