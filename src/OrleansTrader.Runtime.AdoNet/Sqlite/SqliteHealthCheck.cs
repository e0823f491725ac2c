using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Readiness: opens a connection to the database file and runs a query, and fails while the latest write found the store
/// refusing writes (<see cref="SqliteDatabase.StoreFault"/>).
/// </summary>
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
            if (result is not 1L)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, $"SQLite database '{database.FilePath}' returned '{result}' to SELECT 1.");
            }

            // A full disk or a read-only file still reads: only the writes show it, and every command fails meanwhile.
            return database.StoreFault is { } fault
                ? new HealthCheckResult(context.Registration.FailureStatus, $"SQLite database '{database.FilePath}' refused its latest write: {fault.Message}", fault)
                : HealthCheckResult.Healthy($"SQLite database '{database.FilePath}' answers.");
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"SQLite database '{database.FilePath}' is not usable: {ex.Message}", ex);
        }
    }
}
