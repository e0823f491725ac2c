namespace OrleansTrader.Grains.Abstractions.Storage;

/// <summary>
/// Writes a consistent backup of the silo's own data files while it runs (the embedded SQLite default). Registered only
/// where the silo has such files: on PostgreSQL the database's own tools (pg_dump) take the backup.
/// </summary>
public interface IDataBackup
{
    /// <summary>Writes a new backup folder and answers what it holds; one backup runs at a time, a second waits.</summary>
    Task<DataBackupResult> BackupAsync(CancellationToken cancellationToken);
}
