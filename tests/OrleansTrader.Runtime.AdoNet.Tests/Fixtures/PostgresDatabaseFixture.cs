using Npgsql;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// A uniquely named PostgreSQL database per test class, created from the admin connection string in
/// ORLEANSTRADER_TEST_POSTGRES and dropped afterwards. Without the variable the tests skip, visibly.
/// </summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "ORLEANSTRADER_TEST_POSTGRES";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, PostgresDatabase> _databases = new(StringComparer.Ordinal);
    private readonly string? _adminConnectionString = Environment.GetEnvironmentVariable(EnvironmentVariable);
    private readonly string _databaseName = "ot_adonet_" + Guid.NewGuid().ToString("N");
    private string? _connectionString;

    public static string SkipReason => $"{EnvironmentVariable} is not set; PostgreSQL provider tests need a server.";

    public string ConnectionString
    {
        get
        {
            Assert.SkipWhen(_connectionString is null, SkipReason);
            return _connectionString!;
        }
    }

    public PostgresStorageOptions Options(string schema = "public") =>
        new() { ConnectionString = ConnectionString, Schema = schema, CommandTimeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// The database object for a schema, one per fixture: providers opened again get a new provider object over the
    /// same pool, which keeps the number of server connections small when many test classes run at once.
    /// </summary>
    public PostgresDatabase Open(string schema = "public")
    {
        var options = Options(schema);
        lock (_lock)
        {
            if (!_databases.TryGetValue(schema, out var database))
            {
                database = new PostgresDatabase(options);
                _databases.Add(schema, database);
            }

            return database;
        }
    }

    /// <summary>
    /// Ends the sessions of one application name, as an administrator's pg_terminate_backend does, and waits (up to 5 s
    /// each) until they are gone, so the next command cannot get in before the server ends them.
    /// </summary>
    public async Task<long> TerminateSessionsAsync(string applicationName)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid();", connection);
        command.Parameters.AddWithValue(applicationName);
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    public async ValueTask InitializeAsync()
    {
        if (string.IsNullOrWhiteSpace(_adminConnectionString))
        {
            return;
        }

        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_databaseName};", admin) { CommandTimeout = 60 };
            await create.ExecuteNonQueryAsync();
        }

        _connectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = _databaseName }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        List<PostgresDatabase> databases;
        lock (_lock)
        {
            databases = [.. _databases.Values];
            _databases.Clear();
        }

        foreach (var database in databases)
        {
            await database.DisposeAsync();
        }

        if (_connectionString is null)
        {
            return;
        }

        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_databaseName} WITH (FORCE);", admin) { CommandTimeout = 60 };
        await drop.ExecuteNonQueryAsync();
    }
}
