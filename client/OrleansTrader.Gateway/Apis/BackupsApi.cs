using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Grains.Abstractions.Storage;

namespace OrleansTrader.Gateway.Apis;

/// <summary>
/// POST /api/backups (admin): a consistent backup of the running silo's SQLite files, written on the silo's machine
/// (docs/deployment.md, "Backup and restore"). A copy of the files themselves is not consistent while the silo runs.
/// </summary>
public static class BackupsApi
{
    /// <summary>409: the silo keeps no files of its own to back up (PostgreSQL: pg_dump; memory: nothing is kept).</summary>
    public const string BackupUnavailable = "BACKUP_UNAVAILABLE";

    /// <summary>500: the backup folder could not be created or written; the detail names it and says why.</summary>
    public const string BackupFailed = "BACKUP_FAILED";

    public static IEndpointRouteBuilder MapBackupsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/backups", BackupAsync).WithTags("Backups").RequireAuthorization(GatewayPolicies.Admin)
            .WithName("CreateBackup")
            .ProducesProblem(StatusCodes.Status500InternalServerError) // BACKUP_FAILED: the folder cannot be created or written
            .WithSummary("Writes a consistent backup of the silo's SQLite files into a new folder of its backup directory, deleting its backups beyond Storage:BackupsKept (admin).");
        return endpoints;
    }

    internal static async Task<Results<Created<DataBackupResult>, ProblemHttpResult>> BackupAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService<IDataBackup>() is not { } backup)
        {
            return ApiProblems.Conflict(
                "This silo keeps no SQLite files to back up: on PostgreSQL back up the database with pg_dump (docs/deployment.md); the memory provider keeps nothing.",
                BackupUnavailable);
        }

        try
        {
            var result = await backup.BackupAsync(cancellationToken);
            return TypedResults.Created((string?)null, result);
        }
        catch (DataBackupFailedException ex)
        {
            // The folder and the reason, which the operator can act on (a mount missing, permissions, a full disk).
            return TypedResults.Problem(
                statusCode: StatusCodes.Status500InternalServerError, title: "The backup could not be written.", detail: ex.Message,
                extensions: new Dictionary<string, object?> { ["reason"] = BackupFailed });
        }
    }
}
