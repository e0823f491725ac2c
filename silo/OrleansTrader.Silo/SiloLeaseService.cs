using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Silo;

/// <summary>
/// Holds the PostgreSQL database for this silo (<see cref="PostgresSiloLease"/>): the silo's start waits until it holds
/// it, and the silo stops itself when a newer deployment asks for it or when the lease's connection is lost. A database
/// that cannot be reached yet (started after the app) is tried again until <c>Storage:StartupTimeout</c> has passed.
/// </summary>
/// <remarks>
/// Registered before the grain runtime, so the host starts it first and stops it last: the database is released only
/// after every grain has been deactivated and written.
/// </remarks>
public sealed partial class SiloLeaseService(
    PostgresSiloLease lease, IHostApplicationLifetime lifetime, ILogger<SiloLeaseService> logger, TimeProvider time,
    TimeSpan startupTimeout) : IHostedService
{
    /// <summary>The wait between two attempts to reach the database at the start.</summary>
    public static readonly TimeSpan StartupRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>The configuration key of the deployment id; Azure Container Apps' revision name when unset.</summary>
    public const string DeploymentIdKey = "Silo:DeploymentId";

    /// <summary>The variable Azure Container Apps sets to the revision a replica belongs to.</summary>
    public const string ContainerAppRevisionVariable = "CONTAINER_APP_REVISION";

    private readonly CancellationTokenSource _stopping = new();
    private Task _watch = Task.CompletedTask;

    /// <summary>The lease's connection was lost and the silo stopped itself for it (not a handover, not a requested stop).</summary>
    public bool LostTheDatabase { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The wait is elapsed time: on the wall clock, a clock stepped forward while the database started (NTP correcting
        // a container host's clock at its boot) gave up at once, and one set back an hour waited the hour.
        var started = time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await lease.AcquireAsync(cancellationToken);
                break;
            }
            catch (Npgsql.NpgsqlException ex)
            {
                // Not reachable (yet): a container platform often starts the database after the app. A permanent error
                // (a database that does not exist, a wrong password) is not waited for.
                var left = startupTimeout - time.GetElapsedTime(started);
                if (ex.IsTransient && left > TimeSpan.Zero)
                {
                    // The last try at the deadline itself, not a delay before it.
                    var delay = left < StartupRetryDelay ? left : StartupRetryDelay;
                    LogDatabaseUnreachable(logger, attempt, ex.Message, delay.TotalSeconds, time.GetUtcNow() + left);
                    await Task.Delay(delay, time, cancellationToken);
                    continue;
                }

                // The first use of the database: the start's one line said only 'database "walk" does not exist' or
                // "Failed to connect to 127.0.0.1:1", not which setting to correct.
                var waited = attempt > 1
                    ? $" (tried {attempt} times over Storage:StartupTimeout, {startupTimeout})"
                    : "";
                throw new InvalidOperationException(
                    $"Storage:ConnectionString: the PostgreSQL database could not be opened: {ex.Message}{waited}", ex);
            }
        }

        _watch = WatchAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _watch.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // Stopped after the grain runtime, so every grain is written by now. (The container disposes the lease too, for
        // a host that is disposed without being stopped; disposing twice is harmless.)
        await lease.DisposeAsync();
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        var refused = false;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await Task.Delay(lease.PollInterval, stopping);
                string? successor;
                try
                {
                    successor = await lease.FindSuccessorAsync(stopping);
                }
                catch (Npgsql.NpgsqlException ex) when (ex is Npgsql.PostgresException || ex.InnerException is TimeoutException)
                {
                    // The server answered, with an error (a REVOKE on the tables, a statement timeout), or the check ran
                    // past its command timeout (a lock on the table) and the driver had the server cancel it: its
                    // session, and the lock with it, may well still be there, and stopping for it left the silo down for
                    // nothing. Only a lock that is gone stops the silo; until the check answers, no new deployment's
                    // request is seen.
                    if (!await lease.StillHeldAsync(stopping))
                    {
                        throw;
                    }

                    if (!refused)
                    {
                        refused = true;
                        LogCheckFailed(logger, TimedOut(ex) ? "timed out" : "was refused by PostgreSQL", Reason(ex));
                    }

                    continue;
                }

                if (refused)
                {
                    refused = false;
                    LogCheckAnswersAgain(logger);
                }

                if (successor is not null)
                {
                    LogHandingOver(logger, successor, lease.DeploymentId ?? "(none)");
                    await lease.RetireAsync(successor, stopping);
                    lifetime.StopApplication();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Without its connection the silo no longer knows that the database is its alone: it stops.
            LogLeaseLost(logger, ex);
            LostTheDatabase = true;
            lifetime.StopApplication();
        }
    }

    /// <summary>
    /// A check that ran past its time, cut short by the driver's command timeout or by the server's statement timeout
    /// (both cancel it with 57014), rather than refused for what it asked.
    /// </summary>
    private static bool TimedOut(Npgsql.NpgsqlException ex) =>
        ex.InnerException is TimeoutException || ex is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.QueryCanceled };

    /// <summary>
    /// The server's error with the driver's: a timeout's message alone ("Exception while reading from stream") said
    /// nothing of what happened.
    /// </summary>
    private static string Reason(Npgsql.NpgsqlException ex) =>
        ex.InnerException is { } inner && !ex.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{ex.Message} ({inner.Message})"
            : ex.Message;

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning,
        Message = "Deployment {Successor} asks for the database: this silo (deployment {DeploymentId}) hands it over and stops")]
    private static partial void LogHandingOver(ILogger logger, string successor, string deploymentId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning,
        Message = "The PostgreSQL database cannot be reached yet (attempt {Attempt}): {Reason}; next try in {RetrySeconds} s, giving up at {GiveUpAt:O} (Storage:StartupTimeout)")]
    private static partial void LogDatabaseUnreachable(ILogger logger, int attempt, string reason, double retrySeconds, DateTimeOffset giveUpAt);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error,
        Message = "This silo's check for a deployment asking for the database {Failure}: {Reason}; the silo still holds the database and goes on, but cannot hand it over until the check answers again")]
    private static partial void LogCheckFailed(ILogger logger, string failure, string reason);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information,
        Message = "PostgreSQL answers this silo's check for a deployment asking for the database again")]
    private static partial void LogCheckAnswersAgain(ILogger logger);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Critical,
        Message = "Lost the connection that holds the database for this silo; stopping, since another silo may take it now")]
    private static partial void LogLeaseLost(ILogger logger, Exception exception);
}
