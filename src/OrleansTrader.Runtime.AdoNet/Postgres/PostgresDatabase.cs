using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// One PostgreSQL database as the providers use it: a pooled <see cref="NpgsqlDataSource"/>, the validated schema,
/// and commands that always carry the configured timeout.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    // The server's refusal at the latest write that ended either way (read-only, disk full, I/O error), or null once a
    // write went through after it: readiness reports it, since reads, and so its query, go on working meanwhile.
    private volatile PostgresException? _storeFault;

    // When the latest drop event began (a Clock timestamp), or long.MinValue before any: see SessionDropped.
    private long _dropEventStartedAt = long.MinValue;

    public PostgresDatabase(PostgresStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PostgresStorageOptionsValidator.ThrowIfInvalid(options);
        Schema = options.Schema;
        ResolvedSchema = options.Schema.ToLowerInvariant();
        SchemaInSql = $"\"{ResolvedSchema}\"";
        CommandTimeoutSeconds = CommandTimeouts.ToSeconds(options.CommandTimeout);
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        builder.ConnectionStringBuilder.CommandTimeout = CommandTimeoutSeconds;

        // The conditional writes rely on READ COMMITTED re-checking a row a concurrent writer changed (no row, so an
        // ETag conflict); under a stricter database or role default they would fail with 40001 instead.
        // The idle-in-transaction bound ends a transaction whose client vanished without closing the connection
        // (half-open TCP): its locks, such as a stream namespace's append lock, would otherwise stay held until the
        // server's TCP keepalive gives up, hours by default. Appended, so both win over the configured Options.
        var startupOptions = builder.ConnectionStringBuilder.Options;
        builder.ConnectionStringBuilder.Options = (string.IsNullOrWhiteSpace(startupOptions) ? "" : startupOptions + " ") +
            @"-c default_transaction_isolation=read\ committed" +
            $" -c idle_in_transaction_session_timeout={IdleMilliseconds(options.IdleInTransactionTimeout)}";
        _dataSource = builder.Build();
    }

    /// <summary>PostgreSQL counts milliseconds, and 0 would turn the timeout off, so round up to at least one.</summary>
    private static long IdleMilliseconds(TimeSpan timeout) => Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds));

    /// <summary>The validated schema name.</summary>
    public string Schema { get; }

    /// <summary>
    /// <see cref="Schema"/> as SQL names it: quoted, so a name that is a keyword ("user", "order") is not read as one, and
    /// in lower case, the name PostgreSQL folded it to when it went unquoted, so existing tables are found as before.
    /// </summary>
    internal string SchemaInSql { get; }

    /// <summary>The schema's name in the catalog, <see cref="SchemaInSql"/> unquoted: "Trading" and "trading" are one schema.</summary>
    internal string ResolvedSchema { get; }

    internal int CommandTimeoutSeconds { get; }

    /// <summary>What tells one drop event from the next (see <see cref="SessionDropped"/>); a test sets its own.</summary>
    internal TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// Why the latest write failed when the server itself refused it (see <see cref="IsStoreFault"/>); null when the
    /// latest write went through, or failed for its own reason (a constraint, a conflict, a cancel, a lost connection).
    /// </summary>
    internal PostgresException? StoreFault => _storeFault;

    /// <summary>A write went through: the server takes writes again.</summary>
    internal void WriteSucceeded()
    {
        // Read first: every grain's writes pass here, and a store on every one would bounce the field's cache line between cores.
        if (_storeFault is not null)
        {
            _storeFault = null;
        }
    }

    /// <summary>A write failed: remembered when the server refused it, not the write.</summary>
    internal void WriteFailed(PostgresException error)
    {
        if (IsStoreFault(error.SqlState))
        {
            _storeFault = error;
        }
    }

    /// <summary>
    /// The SQLSTATEs that are the server's and not the write's, so every other write fails alike until someone acts:
    /// 25006 (read-only: a hot standby, or a server its host turned read-only as its storage filled), 42501 (the role
    /// may no longer write), class 53 (insufficient resources: disk full, out of memory), class 58 (system error: I/O)
    /// and XX001/XX002 (data or index corrupted). A lost connection is not among them: the health check's own query
    /// finds that, and the silo's lease stops the silo.
    /// </summary>
    internal static bool IsStoreFault(string sqlState) =>
        sqlState is PostgresErrorCodes.ReadOnlySqlTransaction or PostgresErrorCodes.InsufficientPrivilege
            or PostgresErrorCodes.DataCorrupted or PostgresErrorCodes.IndexCorrupted
        || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState.StartsWith("58", StringComparison.Ordinal);

    /// <summary>
    /// The server ended the session or its socket broke (SQLSTATE class 08, connection exception; 57P, the server or an
    /// administrator ended it: pg_terminate_backend of an idle pooled session is 57P01), as opposed to a server that
    /// answered and refused, or a command that ran out of time.
    /// </summary>
    internal static bool IsDroppedConnection(Exception exception) =>
        exception switch
        {
            PostgresException postgres =>
                postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal),
            NpgsqlException { InnerException: IOException or SocketException } => true,
            _ => false,
        };

    /// <summary>Closes the pool's idle connections; those in use are closed when returned, and the next ones are new.</summary>
    internal void ClearPool() => _dataSource.Clear();

    /// <summary>
    /// Drops within this long of the first one logged belong to the same event (one termination of many sessions, a
    /// failover): one warning for it, the rest at Debug.
    /// </summary>
    internal static readonly TimeSpan DropEventWindow = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A command found its session ended (<see cref="IsDroppedConnection"/>): the pool's other idle sessions are likely
    /// gone too, and the first command on each would fail the same way, so they are closed and the next command (the
    /// caller's run again, where one is safe) opens a new session. Npgsql clears the pool itself when it breaks a
    /// session on 57P01, 57P02 or an I/O error; this covers the rest (class 08 from the server). Logged once per drop
    /// event at Warning, further drops within <see cref="DropEventWindow"/> at Debug.
    /// </summary>
    internal void SessionDropped(ILogger logger, Exception error)
    {
        ClearPool();
        var now = Clock.GetTimestamp();
        var started = Interlocked.Read(ref _dropEventStartedAt);
        var reason = error is PostgresException postgres ? $"{postgres.SqlState}: {postgres.MessageText}" : error.Message;
        if ((started == long.MinValue || Clock.GetElapsedTime(started, now) >= DropEventWindow)
            && Interlocked.CompareExchange(ref _dropEventStartedAt, now, started) == started)
        {
            AdoNetLog.SessionsDropped(logger, reason);
        }
        else
        {
            AdoNetLog.SessionDroppedAgain(logger, reason);
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/>, and once more over a new session when the first run met a session the server had ended
    /// (<see cref="SessionDropped"/>): for reads, and writes a second run cannot apply twice.
    /// </summary>
    internal async Task<T> RunAgainIfDroppedAsync<T>(ILogger logger, Func<CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        try
        {
            return await run(cancellationToken);
        }
        catch (Exception ex) when (IsDroppedConnection(ex))
        {
            SessionDropped(logger, ex);
        }

        return await run(cancellationToken);
    }

    public ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) =>
        _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>A command that takes a pooled connection for itself; for single statements outside a transaction.</summary>
    internal NpgsqlCommand CreateCommand(string sql)
    {
        var command = _dataSource.CreateCommand(sql);
        command.CommandTimeout = CommandTimeoutSeconds;
        return command;
    }

    internal NpgsqlCommand CreateCommand(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null) =>
        new(sql, connection, transaction) { CommandTimeout = CommandTimeoutSeconds };

    /// <summary>Runs a write that returns one value, noting whether the server took it.</summary>
    internal async ValueTask<object?> WriteScalarAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        try
        {
            var result = await command.ExecuteScalarAsync(cancellationToken);
            WriteSucceeded();
            return result;
        }
        catch (PostgresException ex)
        {
            WriteFailed(ex);
            throw;
        }
    }

    /// <summary>Runs a write that returns its row count, noting whether the server took it.</summary>
    internal async ValueTask<int> WriteNonQueryAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        try
        {
            var rows = await command.ExecuteNonQueryAsync(cancellationToken);
            WriteSucceeded();
            return rows;
        }
        catch (PostgresException ex)
        {
            WriteFailed(ex);
            throw;
        }
    }

    internal NpgsqlBatch CreateBatch(NpgsqlConnection connection, NpgsqlTransaction transaction) =>
        new(connection, transaction) { Timeout = CommandTimeoutSeconds };

    /// <summary>
    /// Runs <paramref name="statements"/> in a transaction of its own over a pooled session, and commits it. A session the
    /// server ended (<see cref="IsDroppedConnection"/>) before COMMIT was sent has committed nothing (the server rolled the
    /// transaction back, counters and all), so the transaction runs once more over a new session; one that ended while
    /// the COMMIT was on its way may have committed, and fails: a second run could apply it twice.
    /// </summary>
    internal async Task<T> InOwnTransactionAsync<T>(
        ILogger logger, Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> statements, CancellationToken cancellationToken)
    {
        for (var run = 1; ; run++)
        {
            var commitSent = false;
            try
            {
                await using var connection = await OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var result = await statements(connection, transaction, cancellationToken);

                // Not the caller's token: a COMMIT abandoned once sent may still land, and the caller, told the write
                // failed, might write it again.
                commitSent = true;
                await transaction.CommitAsync(CancellationToken.None);
                WriteSucceeded();
                return result;
            }
            catch (Exception ex) when (IsDroppedConnection(ex))
            {
                SessionDropped(logger, ex);
                if (commitSent || run > 1)
                {
                    throw;
                }
            }
            catch (PostgresException ex)
            {
                WriteFailed(ex);
                throw;
            }
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
