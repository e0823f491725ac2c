using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OrleansTrader.Gateway;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Silo;
using OrleansTrader.Silo.Health;
using OrleansTrader.Silo.Logging;

// Set once the host is built: SiloRun disposes the host (and its services) before its exception reaches the filters below.
CancellationToken started = default, stopping = default;
SiloLeaseService? lease = null;
try
{
    // Settings from the appsettings.json beside the binaries, wherever the silo is started from (SiloHost).
    var builder = SiloHost.CreateBuilder(args);

    builder.AddSiloLogging();
    builder.AddSiloDefaults();
    builder.AddSiloHealth();
    builder.AddSiloLease();
    builder.AddOrleansTrader();
    builder.AddTradingGateway();
    builder.AllowAlpacaAccountsWhenConfigured();

    var app = builder.Build();

    app.UseTradingGateway();
    app.MapSiloHealth();
    app.MapTradingApi();

    started = app.Lifetime.ApplicationStarted;
    stopping = app.Lifetime.ApplicationStopping;
    lease = app.Services.GetServices<IHostedService>().OfType<SiloLeaseService>().SingleOrDefault();
    await SiloRun.RunAsync(app);
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested && !started.IsCancellationRequested)
{
    // Ctrl+C or SIGTERM before the silo had started (waiting for its database, or still starting): what had started has
    // stopped as at any stop (SiloRun), so this is a normal exit.
}
catch (Exception ex) when (ex is not HostAbortedException && !started.IsCancellationRequested
    && Assembly.GetEntryAssembly() == typeof(Program).Assembly)
{
    // A start that failed (an invalid setting, a database that cannot be reached): one line that says why and exit code
    // 1, not an unhandled exception (printed twice, then an abort with code 134). Hosted in-process by a test's factory,
    // the silo is not the entry assembly, and the exception goes to the factory.
    Console.Error.WriteLine($"The silo did not start: {StartFailure.Reason(ex)}");
    Environment.ExitCode = 1;
}

// A silo that lost its database stopped without being asked to: exit code 1, not the 0 of Ctrl+C, so that a supervisor
// restarting failed processes only (systemd's Restart=on-failure, Docker's on-failure) starts it again.
if (lease is { LostTheDatabase: true })
{
    Environment.ExitCode = 1;
}

/// <summary>Entry point; public so integration tests can host the silo in-process.</summary>
public partial class Program;

/// <summary>The one line a failed start prints.</summary>
internal static class StartFailure
{
    /// <summary>
    /// The message of the exception that says why, unwrapped from the host's and reflection's wrappers only: the innermost
    /// exception is a low-level cause whose message drops what names the setting ("Another silo is running on the data
    /// directory" became "The process cannot access the file", "Failed to connect to 127.0.0.1:5432" became "Connection refused").
    /// </summary>
    public static string Reason(Exception exception) => exception switch
    {
        AggregateException aggregate => string.Join(" ", aggregate.Flatten().InnerExceptions.Select(Reason)),
        TargetInvocationException { InnerException: { } inner } => Reason(inner),
        SqliteException { SqliteErrorCode: SqliteCorrupt or SqliteNotADatabase } damaged => $"{damaged.Message} {DamagedDataFiles}",
        Npgsql.PostgresException { SqlState: InsufficientPrivilege } denied => $"Storage:ConnectionString: {denied.Message}. {RoleLacksRights}",
        // The options' own message joins its failures with "; " after their full stops ("...).; Feed:..."): one sentence each.
        OptionsValidationException invalid => string.Join(" ", invalid.Failures.Select(Sentence)),
        _ => exception.Message,
    };

    /// <summary>
    /// SQLite's own message names neither the file nor a cause. The usual one is a restore that copied older .db files over
    /// newer data and left the newer -wal files beside them: SQLite then applies the newer WAL to the older file.
    /// </summary>
    internal const string DamagedDataFiles =
        "A SQLite file in the data directory (Storage:DataDirectory) is damaged. After restoring .db files from a backup, delete the -wal and -shm files "
        + "beside them (they belong to the data the backup replaced) and start again; otherwise restore the latest backup "
        + "(docs/deployment.md, \"Backup and restore\").";

    /// <summary>
    /// PostgreSQL's own message names the table, not the setting whose role it refused: a role that lost its rights (a
    /// REVOKE) or a login other than the one that created the tables.
    /// </summary>
    internal const string RoleLacksRights =
        "The role in the connection string may not use the silo's tables: connect as the role that created them, or grant "
        + "this one all rights on them and their sequences (GRANT ALL ON ALL TABLES IN SCHEMA ... and ON ALL SEQUENCES IN SCHEMA ...).";

    private const string InsufficientPrivilege = "42501";

    private static string Sentence(string failure) => failure.TrimEnd() is var text && text.EndsWith('.') ? text : text + ".";

    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
}
