using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Readiness: takes a pooled connection and runs a query against the server, and fails while the latest write found the
/// server refusing writes (<see cref="PostgresDatabase.StoreFault"/>).
/// </summary>
public sealed class PostgresHealthCheck(PostgresDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await using var command = database.CreateCommand("SELECT 1;");
            var result = await command.ExecuteScalarAsync(cancellationToken);
            if (result is not 1)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, $"PostgreSQL returned '{result}' to SELECT 1.");
            }

            // A read-only or full server still reads: only the writes show it, and every command fails meanwhile.
            return database.StoreFault is { } fault
                ? new HealthCheckResult(context.Registration.FailureStatus, $"PostgreSQL refused the latest write: {fault.Message}", fault)
                : HealthCheckResult.Healthy("PostgreSQL answers.");
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or IOException or TimeoutException)
        {
            // The message comes from Npgsql and names host and cause; the connection string (and password) is not in it.
            return new HealthCheckResult(context.Registration.FailureStatus, $"PostgreSQL is not usable: {ex.Message}", ex);
        }
    }
}
