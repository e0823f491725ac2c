using Microsoft.Data.Sqlite;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// A consistent copy of a SQLite database that a silo is writing, through SQLite's online backup API. A file copy of a
/// database in WAL mode is not one: the file alone lacks the commits still in its WAL, and a checkpoint running during
/// the copy leaves pages of two moments in it. The backup copies every page in one step, inside one read transaction, so
/// the copy is the database as one commit left it; in WAL mode that read blocks neither the writer nor the checkpointer
/// (which only stops short of the frames the backup still reads).
/// </summary>
public static class SqliteOnlineBackup
{
    /// <summary>
    /// Copies <paramref name="sourceFile"/> to <paramref name="destinationFile"/>, which must not exist yet. The copy is a
    /// complete database in rollback-journal mode, with nothing beside it: it can be moved, opened and restored as a single file.
    /// </summary>
    public static Task BackupAsync(string sourceFile, string destinationFile, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceFile);
        ArgumentException.ThrowIfNullOrWhiteSpace(destinationFile);
        if (!File.Exists(sourceFile))
        {
            throw new FileNotFoundException($"There is no SQLite database to back up at {sourceFile}.", sourceFile);
        }

        if (File.Exists(destinationFile))
        {
            throw new IOException($"The backup's file {destinationFile} exists already; a backup never writes over one.");
        }

        // BackupDatabase is one blocking native call that reads the whole file: not a thread-pool thread's work.
        return Task.Factory.StartNew(
            () => Copy(sourceFile, destinationFile),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private static void Copy(string sourceFile, string destinationFile)
    {
        // Unpooled: both files are closed when this returns, so the copy can be moved at once and no pool keeps the
        // backup open.
        using var source = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = sourceFile,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        using var destination = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = destinationFile,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        source.Open();
        destination.Open();
        source.BackupDatabase(destination);

        // The copied header says WAL: left so, every later open of the copy, a read-only look into it included, leaves -wal
        // and -shm files beside it, and the backup's folder no longer holds only the backup's files (pruning leaves such a
        // folder alone for good). In rollback-journal mode the copy stays one file, whatever opens it; the silo sets WAL
        // again when it opens a restored copy.
        using var journal = destination.CreateCommand();
        journal.CommandText = "PRAGMA journal_mode = DELETE;";
        journal.ExecuteNonQuery();
    }
}
