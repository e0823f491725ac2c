using Npgsql;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>
/// A uniquely named PostgreSQL database for one test class, created from the admin connection string in
/// ORLEANSTRADER_TEST_POSTGRES and dropped (with its sessions) afterwards. Without the variable there is none, and the
/// class's PostgreSQL tests skip with <see cref="SkipReason"/>.
/// </summary>
internal sealed class ThrowawayPostgresDatabase(string prefix) : IAsyncDisposable
{
    public const string SkipReason = "ORLEANSTRADER_TEST_POSTGRES is not set; PostgreSQL storage tests skipped.";

    private readonly string? _admin = Environment.GetEnvironmentVariable("ORLEANSTRADER_TEST_POSTGRES");
    private readonly string _name = prefix + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The database's name (for statements about it, such as a change of owner).</summary>
    public string Name => _name;

    /// <summary>The new database's connection string, once created; null without a server.</summary>
    public string? ConnectionString { get; private set; }

    public async ValueTask CreateAsync()
    {
        if (string.IsNullOrWhiteSpace(_admin))
        {
            return;
        }

        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {_name}", connection);
        await command.ExecuteNonQueryAsync();
        ConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = _name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (ConnectionString is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
