using System.Globalization;
using OrleansTrader.Grains.Abstractions.Storage;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// Backs up the embedded default's two files (<see cref="SqliteDataFiles"/>) into a new folder under
/// <c>backups</c> in the data directory, with SQLite's online backup API, while the silo runs.
/// <para>
/// The two files cannot be copied at one instant, so the order is the one the silo's own writes keep: the stream log
/// first, then the state. The log's commits wait for the state file's (<see cref="SqliteDataFiles"/>), so every fill the
/// copied log reports is in the copied state's venue too; the copied state may be ahead of the log (fills the venue made
/// or the accounts booked after the log's copy), which a restart already handles: a report is delivered again and
/// applied once by execution id, and a report that never reached the log is back-filled from the venue by the account's
/// reconciliation. The other order would give a log reporting executions the copied venue never made, whose execution
/// ids the venue then gives to its next fills of those orders.
/// </para>
/// </summary>
public sealed class SqliteDataBackup(SqliteDataFiles files, string backupsDirectory, TimeProvider time) : IDataBackup
{
    /// <summary>The folder, under the data directory, that holds one folder per backup.</summary>
    public const string BackupsFolderName = "backups";

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<DataBackupResult> BackupAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var startedAt = time.GetUtcNow();
            var name = startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture);
            var final = Path.Combine(backupsDirectory, name);

            // Written under a name that says it is unfinished and renamed when complete, so that a backup cut short (a
            // full disk, a stop) is never taken for one that can be restored.
            var partial = final + ".partial";
            PrivateDirectory.Create(backupsDirectory);
            PrivateDirectory.Create(partial);
            var copied = new List<DataBackupFile>();
            try
            {
                foreach (var file in files.Shared ? [files.State] : new[] { files.StreamLog, files.State })
                {
                    var destination = Path.Combine(partial, Path.GetFileName(file));
                    await SqliteOnlineBackup.BackupAsync(file, destination, cancellationToken);
                    copied.Add(new DataBackupFile(Path.GetFileName(file), new FileInfo(destination).Length));
                }

                Directory.Move(partial, final);
            }
            catch
            {
                Directory.Delete(partial, recursive: true);
                throw;
            }

            return new DataBackupResult { Directory = final, Files = copied, StartedAt = startedAt, CompletedAt = time.GetUtcNow() };
        }
        finally
        {
            _oneAtATime.Release();
        }
    }
}
