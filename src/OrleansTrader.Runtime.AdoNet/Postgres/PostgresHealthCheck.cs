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
            return await QueryAsync(context, cancellationToken);
        }
        catch (Exception ex) when (PostgresDatabase.IsDroppedConnection(ex))
        {
            // The server ended a pooled session (pg_terminate_backend, idle_session_timeout, a proxy) or its socket broke:
            // the pool's other idle sessions are likely gone too, and the first command on each would fail the same way.
            // Asked again over a new session, a server that is up answers; one that is down refuses that one as well.
            database.ClearPool();
            try
            {
                return await QueryAsync(context, cancellationToken);
            }
            catch (Exception retry) when (IsUnusable(retry))
            {
                return NotUsable(context, retry);
            }
        }
        catch (Exception ex) when (IsUnusable(ex))
        {
            return NotUsable(context, ex);
        }
    }

    private async Task<HealthCheckResult> QueryAsync(HealthCheckContext context, CancellationToken cancellationToken)
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

    private static bool IsUnusable(Exception exception) =>
        exception is DbException or InvalidOperationException or IOException or TimeoutException;

    // The message comes from Npgsql and names host and cause; the connection string (and password) is not in it.
    private static HealthCheckResult NotUsable(HealthCheckContext context, Exception exception) =>
        new(context.Registration.FailureStatus, $"PostgreSQL is not usable: {exception.Message}", exception);
}
