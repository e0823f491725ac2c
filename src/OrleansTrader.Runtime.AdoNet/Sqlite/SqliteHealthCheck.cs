using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>Readiness: opens a connection to the database file and runs a query.</summary>
public sealed class SqliteHealthCheck(SqliteDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await using var command = database.CreateCommand(connection, "SELECT 1;");
            var result = await command.ExecuteScalarAsync(cancellationToken);
            return result is 1L
                ? HealthCheckResult.Healthy($"SQLite database '{database.FilePath}' answers.")
                : new HealthCheckResult(context.Registration.FailureStatus, $"SQLite database '{database.FilePath}' returned '{result}' to SELECT 1.");
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"SQLite database '{database.FilePath}' is not usable: {ex.Message}", ex);
        }
    }
}
