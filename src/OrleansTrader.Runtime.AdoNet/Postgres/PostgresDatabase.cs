using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// One PostgreSQL database as the providers use it: a pooled <see cref="NpgsqlDataSource"/>, the validated schema,
/// and commands that always carry the configured timeout.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(PostgresStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PostgresStorageOptionsValidator.ThrowIfInvalid(options);
        Schema = options.Schema;
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

    internal int CommandTimeoutSeconds { get; }

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

    internal NpgsqlBatch CreateBatch(NpgsqlConnection connection, NpgsqlTransaction transaction) =>
        new(connection, transaction) { Timeout = CommandTimeoutSeconds };

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
