using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Grains.Abstractions.Storage;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// Backs up the embedded default's two files (<see cref="SqliteDataFiles"/>) into a new folder under the backup directory
/// (Storage:BackupDirectory, else <c>backups</c> in the data directory), with SQLite's online backup API, while the silo
/// runs; then deletes this silo's older backups beyond <c>Storage:BackupsKept</c>.
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
public sealed partial class SqliteDataBackup(
    SqliteDataFiles files,
    string backupsDirectory,
    TimeProvider time,
    int? backupsKept = null,
    ILogger<SqliteDataBackup>? logger = null) : IDataBackup
{
    /// <summary>The folder, under the data directory, that holds one folder per backup unless Storage:BackupDirectory names another.</summary>
    public const string BackupsFolderName = "backups";

    /// <summary>
    /// The file in each backup that says which data directory it is a backup of (its path and its id): pruning deletes only
    /// folders that hold it and name this silo's, so another silo's backups in a shared folder, or a user's folders, are
    /// never deleted.
    /// </summary>
    public const string MarkerFileName = "backup.json";

    /// <summary>
    /// The file in the data directory that holds its id, written at its first backup and named in each backup's marker: a
    /// silo on another machine (another container) whose data directory has the same path, sharing the backup folder,
    /// has another id, so neither takes the other's backups for its own.
    /// </summary>
    public const string DataDirectoryIdFileName = "data-directory.id";

    private const string NameFormat = "yyyyMMdd'T'HHmmss.fff'Z'";

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly string _dataDirectory = Path.GetDirectoryName(Path.GetFullPath(files.State))!;
    private readonly ILogger _logger = logger ?? NullLogger<SqliteDataBackup>.Instance;
    private string? _dataDirectoryId;

    public async Task<DataBackupResult> BackupAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var startedAt = time.GetUtcNow();
            var final = FreeFolder(startedAt.UtcDateTime);
            var copied = await WriteAsync(final, cancellationToken);
            var deleted = DeleteLeftovers();
            deleted.AddRange(Prune(final));
            return new DataBackupResult { Directory = final, Files = copied, StartedAt = startedAt, CompletedAt = time.GetUtcNow(), Deleted = deleted };
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// The backup's folder: its start's UTC time to the millisecond, or the first millisecond after it that names nothing
    /// yet, finished or <c>.partial</c>. A backup in the millisecond of another (this silo's, another silo's in a shared
    /// folder, one cut short, a clock set back onto an old name) could not be moved onto that name and failed.
    /// </summary>
    private string FreeFolder(DateTime startedAt)
    {
        for (var at = startedAt; ; at = at.AddMilliseconds(1))
        {
            var folder = Path.Combine(backupsDirectory, at.ToString(NameFormat, CultureInfo.InvariantCulture));
            if (!Path.Exists(folder) && !Path.Exists(folder + ".partial"))
            {
                return folder;
            }
        }
    }

    private async Task<List<DataBackupFile>> WriteAsync(string final, CancellationToken cancellationToken)
    {
        // Written under a name that says it is unfinished and renamed when complete, so that a backup cut short (a
        // full disk, a stop) is never taken for one that can be restored.
        var partial = final + ".partial";
        try
        {
            _dataDirectoryId ??= ReadOrCreateDataDirectoryId();
            PrivateDirectory.Create(backupsDirectory);
            PrivateDirectory.Create(partial);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failed(ex);
        }

        var copied = new List<DataBackupFile>();
        try
        {
            // The marker goes in first, so that a folder left by a silo killed mid-backup says whose it is (see DeleteLeftovers).
            await WriteMarkerAsync(partial, cancellationToken);
            foreach (var file in files.Shared ? [files.State] : new[] { files.StreamLog, files.State })
            {
                var destination = Path.Combine(partial, Path.GetFileName(file));
                await SqliteOnlineBackup.BackupAsync(file, destination, cancellationToken);
                copied.Add(new DataBackupFile(Path.GetFileName(file), new FileInfo(destination).Length));
            }

            Directory.Move(partial, final);
            return copied;
        }
        catch (Exception ex)
        {
            try
            {
                Directory.Delete(partial, recursive: true);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Left under its ".partial" name, which no restore or pruning takes for a backup; the failure is the news.
            }

            if (ex is IOException or UnauthorizedAccessException or DbException)
            {
                throw Failed(ex);
            }

            throw;
        }
    }

    private DataBackupFailedException Failed(Exception ex)
    {
        BackupFailed(_logger, backupsDirectory, ex);
        return new DataBackupFailedException(
            $"The backup could not be written into {backupsDirectory} (Storage:BackupDirectory): {ex.Message}", ex);
    }

    private async Task WriteMarkerAsync(string folder, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(Path.Combine(folder, MarkerFileName));
        await using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteString("dataDirectory", _dataDirectory);
        json.WriteString("dataDirectoryId", _dataDirectoryId);
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The data directory's id, from <see cref="DataDirectoryIdFileName"/>; a new one at the first backup, moved into place
    /// complete so that a stop halfway never leaves an empty id.
    /// </summary>
    private string ReadOrCreateDataDirectoryId()
    {
        var file = Path.Combine(_dataDirectory, DataDirectoryIdFileName);
        if (!File.Exists(file))
        {
            var written = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllText(written, Guid.NewGuid().ToString("D"));
            try
            {
                File.Move(written, file, overwrite: false);
            }
            catch (IOException) when (File.Exists(file))
            {
                File.Delete(written);
            }
        }

        var id = File.ReadAllText(file).Trim();
        return Guid.TryParseExact(id, "D", out _)
            ? id
            : throw new IOException($"{file} does not hold a data directory id; delete it and a new one is written (this data directory's earlier backups are then left alone).");
    }

    /// <summary>
    /// Deletes this silo's backups beyond the newest <c>backupsKept</c>, the one just written counted among them and never
    /// deleted (a clock set back names it older than the last). A folder that is not one of this silo's complete backups,
    /// by its name, its marker and its files, is left alone; one that cannot be deleted is logged and kept.
    /// </summary>
    private List<string> Prune(string justWritten)
    {
        if (backupsKept is not { } kept)
        {
            return [];
        }

        List<string> older;
        try
        {
            older = [.. Directory.EnumerateDirectories(backupsDirectory)
                .Where(folder => !string.Equals(folder, justWritten, StringComparison.Ordinal) && IsOwnBackup(folder))
                .OrderByDescending(Path.GetFileName, StringComparer.Ordinal)
                .Skip(kept - 1)
                .Reverse()];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            PruneFailed(_logger, backupsDirectory, ex);
            return [];
        }

        return Delete(older);
    }

    private List<string> Delete(List<string> folders)
    {
        var deleted = new List<string>();
        foreach (var folder in folders)
        {
            try
            {
                foreach (var file in Directory.EnumerateFiles(folder))
                {
                    File.Delete(file);
                }

                // Not recursive: a folder something was added to since it was checked stays, and says so in the log.
                Directory.Delete(folder);
                deleted.Add(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                PruneFailed(_logger, folder, ex);
            }
        }

        return deleted;
    }

    /// <summary>
    /// Deletes this silo's backups left unfinished by a silo killed while writing them (a backup that fails is deleted by
    /// the call that wrote it): they are never restorable and may be as large as a whole backup. Backups run one at a time
    /// and only this silo writes its data directory's, so none of them is still being written.
    /// </summary>
    private List<string> DeleteLeftovers()
    {
        List<string> leftovers;
        try
        {
            leftovers = [.. Directory.EnumerateDirectories(backupsDirectory, "*.partial").Where(folder => IsOwnBackup(folder, unfinished: true))];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            PruneFailed(_logger, backupsDirectory, ex);
            return [];
        }

        return Delete(leftovers);
    }

    private bool IsOwnBackup(string folder, bool unfinished = false)
    {
        var name = Path.GetFileName(folder);
        if (unfinished)
        {
            name = name.EndsWith(".partial", StringComparison.Ordinal) ? name[..^".partial".Length] : "";
        }

        if (!DateTime.TryParseExact(name, NameFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            || new DirectoryInfo(folder).LinkTarget is not null
            || Directory.EnumerateDirectories(folder).Any())
        {
            return false;
        }

        string[] databases = [SqliteDataFiles.StateFileName, SqliteDataFiles.StreamLogFileName];

        // A copy cut short may have left its database's journal or WAL files beside it.
        string[] backupFiles = [.. databases, MarkerFileName, .. unfinished ? databases.SelectMany(db => new[] { db + "-journal", db + "-wal", db + "-shm" }) : []];
        if (Directory.EnumerateFiles(folder).Any(file => !backupFiles.Contains(Path.GetFileName(file), StringComparer.Ordinal)))
        {
            return false;
        }

        try
        {
            using var marker = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, MarkerFileName)));
            return marker.RootElement.ValueKind == JsonValueKind.Object
                && marker.RootElement.TryGetProperty("dataDirectory", out var data)
                && data.ValueKind == JsonValueKind.String
                && string.Equals(data.GetString(), _dataDirectory, StringComparison.Ordinal)
                && marker.RootElement.TryGetProperty("dataDirectoryId", out var id)
                && id.ValueKind == JsonValueKind.String
                && string.Equals(id.GetString(), _dataDirectoryId, StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 5610, Level = LogLevel.Error, Message = "Backup into {BackupDirectory} failed")]
    private static partial void BackupFailed(ILogger logger, string backupDirectory, Exception exception);

    [LoggerMessage(EventId = 5611, Level = LogLevel.Warning, Message = "Old backup {Path} could not be deleted; it is kept")]
    private static partial void PruneFailed(ILogger logger, string path, Exception exception);
}
