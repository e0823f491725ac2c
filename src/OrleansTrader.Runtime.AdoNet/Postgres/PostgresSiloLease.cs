using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// One silo per PostgreSQL database (per schema): the silo runs only while it holds a session advisory lock on a
/// connection of its own. PostgreSQL frees the lock when that connection ends, so a silo that dies frees the database
/// at once, with no lease timeout to wait out.
/// </summary>
/// <remarks>
/// <para>
/// A multi-silo cluster is not built: two silos on one database would each activate the same grains. Yet a rolling
/// deployment (Azure Container Apps starts the new revision and stops the old one only once the new one is ready)
/// runs two silos for a moment. So a silo of a new deployment asks the holder to hand over: it records a request, the
/// holder sees it on its next poll, records its own deployment as retired and stops gracefully, and the new silo
/// takes the lock once the old one has written everything and closed its connection.
/// </para>
/// <para>
/// A silo of a retired deployment (a restarted replica of the old revision) never asks again, and two silos of the
/// same deployment (or with none, as on a workstation) never displace each other: the second waits until the first
/// is gone. A request counts only while its silo keeps renewing it, so a new deployment that never came up does not
/// stop the running one.
/// </para>
/// </remarks>
public sealed class PostgresSiloLease : IAsyncDisposable
{
    /// <summary>Advisory lock class of the lease (two-int form; see <see cref="PostgresSchema"/>).</summary>
    public const int LeaseLockClass = 0x4F54_0003;

    private readonly PostgresDatabase _database;
    private readonly string _connectionString;
    private readonly ILogger _logger;
    private readonly string _table;

    // The lock's key is the schema the tables are in, so "Trading" and "trading" (one schema) are one lease. A name that
    // differs from it is also locked, under the key the previous version used (the name as configured), so that a silo
    // of that version and one of this version, both configured with it, still exclude each other during a handover.
    private readonly string _lockKey;
    private readonly string? _previousLockKey;
    private readonly int _lockSessionCommandTimeoutSeconds;
    private NpgsqlConnection? _lockConnection;
    private bool _schemaReady;
    private bool _disposed;
    private readonly Lock _gate = new();

    // Ends a wait that is still running when the lease is disposed (a silo stopped while waiting for the database).
    private readonly CancellationTokenSource _disposing = new();

    public PostgresSiloLease(PostgresStorageOptions options, string? deploymentId, ILogger logger, TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _database = new PostgresDatabase(options);
        _table = $"{_database.SchemaInSql}.ot_silo_deployments";
        _lockKey = _database.ResolvedSchema;
        _previousLockKey = string.Equals(_database.Schema, _lockKey, StringComparison.Ordinal) ? null : _database.Schema;
        _lockSessionCommandTimeoutSeconds = Math.Min(_database.CommandTimeoutSeconds, LockSessionCommandTimeoutSeconds);
        DeploymentId = string.IsNullOrWhiteSpace(deploymentId) ? null : deploymentId.Trim();
        PollInterval = pollInterval ?? TimeSpan.FromSeconds(1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(pollInterval));
        _logger = logger;

        // Not pooled: closing this connection must end the session, which is what releases the lock. Keepalive: a
        // holder whose connection silently died must find out, because the database is no longer its alone.
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            Pooling = false,
            KeepAlive = 10,
            ApplicationName = "orleanstrader-silo-lease",
        };

        // The server must find out too: the lock holds no transaction, so idle_in_transaction_session_timeout never
        // ends the session of a holder whose host died or was cut off, and the server's OS keepalive would keep it
        // (and the lock) for about two hours. Put first, so the connection string's own Options can override them.
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? ServerKeepaliveOptions : ServerKeepaliveOptions + " " + builder.Options;
        _connectionString = builder.ConnectionString;
    }

    /// <summary>
    /// The lease session's server-side TCP settings: the server drops a client that stopped answering about a minute
    /// after it last heard from it (keepalive probes from 30 s of silence, every 10 s; unacknowledged data or probes for
    /// 60 s end the connection), which frees the lock. That is longer than a holder takes to notice the loss itself
    /// (its check every second fails within the 30 s command timeout), so it has begun to stop before another silo starts.
    /// </summary>
    internal const string ServerKeepaliveOptions =
        "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3 -c tcp_user_timeout=60000";

    /// <summary>
    /// The most a command on the lock's own session may take, whatever <see cref="PostgresStorageOptions.CommandTimeout"/>
    /// says: a check on a session that went silent must fail well within the minute after which the server drops that
    /// session (<see cref="ServerKeepaliveOptions"/>) and frees the lock for another silo. A longer configured timeout
    /// (raised for an index build) would leave the holder running beside the next silo.
    /// </summary>
    internal const int LockSessionCommandTimeoutSeconds = 30;

    /// <summary>Sees each command on the lock's session as it is created (for tests of their timeouts).</summary>
    internal Action<NpgsqlCommand>? LockSessionCommandStarting { get; set; }

    /// <summary>The deployment this silo belongs to (a Container Apps revision), or null when it has none.</summary>
    public string? DeploymentId { get; }

    /// <summary>How often a waiting silo retries and renews its request, and how often the holder looks for one.</summary>
    public TimeSpan PollInterval { get; }

    /// <summary>A request older than this is abandoned: its silo stopped renewing it.</summary>
    public TimeSpan RequestLifetime => PollInterval * 5;

    public bool IsHeld => _lockConnection is not null;

    /// <summary>
    /// Waits until this silo holds the database. While another silo holds it, a silo of a deployment that is not
    /// retired asks it to hand over (and renews the request each poll); any other silo only waits.
    /// </summary>
    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_lockConnection is not null)
        {
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        cancellationToken = linked.Token;
        await EnsureSchemaAsync(cancellationToken);
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var told = false;
            while (true)
            {
                if (await TryLockAsync(connection, cancellationToken))
                {
                    await WithdrawRequestAsync(cancellationToken);
                    lock (_gate)
                    {
                        // Disposed meanwhile: the catch below closes the connection, which releases the lock.
                        cancellationToken.ThrowIfCancellationRequested();
                        _lockConnection = connection;
                    }

                    PostgresLeaseLog.Acquired(_logger, _database.Schema, DeploymentId ?? "(none)");
                    return;
                }

                var retiredBy = await RequestOrFindRetirementAsync(cancellationToken);
                if (!told)
                {
                    told = true;
                    if (retiredBy is not null)
                    {
                        PostgresLeaseLog.WaitingRetired(_logger, DeploymentId!, retiredBy);
                    }
                    else if (DeploymentId is null)
                    {
                        PostgresLeaseLog.WaitingNoDeployment(_logger, _database.Schema);
                    }
                    else
                    {
                        PostgresLeaseLog.AskingForHandover(_logger, DeploymentId, _database.Schema);
                    }
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The holder's check, run every <see cref="PollInterval"/>: the deployment that asks for the database, or null.
    /// It runs on the lock's own connection, so a lost connection (and with it the lock) throws instead of passing.
    /// </summary>
    public async Task<string?> FindSuccessorAsync(CancellationToken cancellationToken)
    {
        var connection = _lockConnection ?? throw new InvalidOperationException("The silo lease is not held.");
        await using var command = LockSessionCommand(connection, $"""
            SELECT deployment_id FROM {_table}
            WHERE state = 'requested' AND changed_at > now() - @lifetime AND deployment_id IS DISTINCT FROM @me
            ORDER BY changed_at DESC LIMIT 1;
            """);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lifetime", RequestLifetime));
        command.Parameters.Add(new NpgsqlParameter<string?>("me", DeploymentId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>
    /// Whether the lock's own session is still open and still holds the lock. After the server refused the holder's
    /// check (the role lost its rights on the table, a statement timeout), the refusal came over that session, so the
    /// lock may well still be held: this tells a refusal apart from a lost lock. False when the session is gone.
    /// </summary>
    public async Task<bool> StillHeldAsync(CancellationToken cancellationToken)
    {
        var connection = _lockConnection;
        if (connection is null || connection.FullState != System.Data.ConnectionState.Open)
        {
            return false;
        }

        try
        {
            // pg_locks shows a two-int advisory lock with the first key as classid, the second as objid, objsubid 2.
            await using var command = LockSessionCommand(connection, """
                SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                  AND classid = @class::oid AND objid = hashtext(@key)::oid AND objsubid = 2;
                """);
            command.Parameters.Add(new NpgsqlParameter<int>("class", LeaseLockClass));
            command.Parameters.Add(new NpgsqlParameter<string>("key", _lockKey));
            return await command.ExecuteScalarAsync(cancellationToken) is > 0L;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Records that this silo's deployment is replaced by <paramref name="successor"/>: its silos, restarted or not,
    /// wait from now on instead of asking for the database back. A silo without a deployment has nothing to record.
    /// </summary>
    public async Task RetireAsync(string successor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(successor);
        if (DeploymentId is null)
        {
            return;
        }

        await using var command = _database.CreateCommand($"""
            INSERT INTO {_table} (deployment_id, state, changed_at, replaced_by) VALUES (@me, 'retired', now(), @successor)
            ON CONFLICT (deployment_id) DO UPDATE SET state = 'retired', changed_at = now(), replaced_by = @successor;
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("me", DeploymentId));
        command.Parameters.Add(new NpgsqlParameter<string>("successor", successor));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A setting of the lock's own session as the server applies it (for tests of its startup options).</summary>
    internal async Task<string?> SessionSettingAsync(string name, CancellationToken cancellationToken)
    {
        var connection = _lockConnection ?? throw new InvalidOperationException("The silo lease is not held.");
        await using var command = LockSessionCommand(connection, "SELECT current_setting(@name);");
        command.Parameters.Add(new NpgsqlParameter<string>("name", name));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Releases the database: unlocks and closes the lock's connection (closing alone would release it too).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NpgsqlConnection? connection;
        lock (_gate)
        {
            _disposing.Cancel();
            connection = _lockConnection;
            _lockConnection = null;
        }

        if (connection is not null)
        {
            try
            {
                // The session is the lease's alone, so every advisory lock it holds is the lease's.
                await using var unlock = LockSessionCommand(connection, "SELECT pg_advisory_unlock_all();");
                await unlock.ExecuteNonQueryAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The session is gone or going; ending it releases the lock all the same.
            }

            await connection.DisposeAsync();
            PostgresLeaseLog.Released(_logger, _database.Schema);
        }

        await _database.DisposeAsync();
        _disposing.Dispose();
    }

    /// <summary>Takes both keys or neither: one taken alone is given back, so two silos can never each hold half.</summary>
    private async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = LockSessionCommand(connection, """
            SELECT CASE
                WHEN NOT pg_try_advisory_lock(@class, hashtext(@key)) THEN false
                WHEN @previous IS NULL OR pg_try_advisory_lock(@class, hashtext(@previous)) THEN true
                ELSE NOT pg_advisory_unlock(@class, hashtext(@key))
            END;
            """);
        command.Parameters.Add(new NpgsqlParameter<int>("class", LeaseLockClass));
        command.Parameters.Add(new NpgsqlParameter<string>("key", _lockKey));
        command.Parameters.Add(new NpgsqlParameter<string?>("previous", _previousLockKey) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    private NpgsqlCommand LockSessionCommand(NpgsqlConnection connection, string sql)
    {
        var command = _database.CreateCommand(connection, sql);
        command.CommandTimeout = _lockSessionCommandTimeoutSeconds;
        LockSessionCommandStarting?.Invoke(command);
        return command;
    }

    /// <summary>
    /// Renews this deployment's request for the database, unless the deployment is retired; returns the deployment
    /// that replaced it then, and null otherwise (also when there is no deployment to ask for).
    /// </summary>
    private async Task<string?> RequestOrFindRetirementAsync(CancellationToken cancellationToken)
    {
        if (DeploymentId is null)
        {
            return null;
        }

        // A retired row stays retired: the upsert renews only a request.
        await using (var request = _database.CreateCommand($"""
            INSERT INTO {_table} (deployment_id, state, changed_at) VALUES (@me, 'requested', now())
            ON CONFLICT (deployment_id) DO UPDATE SET changed_at = now() WHERE {_table}.state = 'requested';
            """))
        {
            request.Parameters.Add(new NpgsqlParameter<string>("me", DeploymentId));
            await request.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var retired = _database.CreateCommand($"SELECT replaced_by FROM {_table} WHERE deployment_id = @me AND state = 'retired';");
        retired.Parameters.Add(new NpgsqlParameter<string>("me", DeploymentId));
        return await retired.ExecuteScalarAsync(cancellationToken) as string;
    }

    private async Task WithdrawRequestAsync(CancellationToken cancellationToken)
    {
        if (DeploymentId is null)
        {
            return;
        }

        await using var command = _database.CreateCommand($"DELETE FROM {_table} WHERE deployment_id = @me AND state = 'requested';");
        command.Parameters.Add(new NpgsqlParameter<string>("me", DeploymentId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }

        await PostgresSchema.CreateAsync(_database, $"""
            CREATE TABLE IF NOT EXISTS {_table} (
                deployment_id text PRIMARY KEY,
                state text NOT NULL,
                changed_at timestamptz NOT NULL,
                replaced_by text NULL
            );
            """, cancellationToken);
        _schemaReady = true;
    }
}

/// <summary>Log messages of <see cref="PostgresSiloLease"/>.</summary>
internal static partial class PostgresLeaseLog
{
    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "This silo holds PostgreSQL schema {Schema} (deployment {DeploymentId})")]
    public static partial void Acquired(ILogger logger, string schema, string deploymentId);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Warning,
        Message = "Another silo holds PostgreSQL schema {Schema}; deployment {DeploymentId} asked it to hand over and waits")]
    public static partial void AskingForHandover(ILogger logger, string deploymentId, string schema);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Warning,
        Message = "Another silo holds PostgreSQL schema {Schema}; this silo has no deployment id, so it waits until that silo stops")]
    public static partial void WaitingNoDeployment(ILogger logger, string schema);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Warning,
        Message = "Deployment {DeploymentId} was replaced by {Successor}; this silo waits and does not ask for the database back")]
    public static partial void WaitingRetired(ILogger logger, string deploymentId, string successor);

    [LoggerMessage(EventId = 7014, Level = LogLevel.Information, Message = "Released PostgreSQL schema {Schema}")]
    public static partial void Released(ILogger logger, string schema);
}
