using Microsoft.Data.Sqlite;
using OrleansTrader.Grains.Abstractions.Storage;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.AdoNet;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Storage:BackupsKept: after a backup, the silo's older backups beyond that number are deleted, and nothing else is: not
/// the backup just written, not another silo's backup, not a folder a user put there, not one cut short.
/// </summary>
public sealed class SqliteDataBackupPruningTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 2, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Backup_WithBackupsKept_DeletesOnlyThisSilosOldestBackups()
    {
        var time = new FakeTimeProvider(Start);
        var backups = _dir.File("backups");
        var other = new SqliteDataBackup(await DataFilesAsync("other"), backups, time);
        var backup = new SqliteDataBackup(await DataFilesAsync("live"), backups, time, backupsKept: 2);

        var otherSilos = await other.BackupAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var first = await backup.BackupAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var second = await backup.BackupAsync(Ct);

        // Named as a backup but not one (no marker), a backup cut short, and a user's own folder.
        var unmarked = Directory.CreateDirectory(Path.Combine(backups, "20260101T000000.000Z")).FullName;
        await File.WriteAllTextAsync(Path.Combine(unmarked, SqliteDataFiles.StateFileName), "kept", Ct);
        var cutShort = Directory.CreateDirectory(Path.Combine(backups, "20260102T000000.000Z.partial")).FullName;
        var users = Directory.CreateDirectory(Path.Combine(backups, "before-upgrade")).FullName;
        time.Advance(TimeSpan.FromSeconds(1));
        var third = await backup.BackupAsync(Ct);

        Assert.Empty(first.Deleted);
        Assert.Empty(second.Deleted);
        Assert.Equal([first.Directory], third.Deleted);
        Assert.Equal(
            new[] { otherSilos.Directory, second.Directory, third.Directory, unmarked, cutShort, users }.Order(StringComparer.Ordinal),
            Directory.GetDirectories(backups).Order(StringComparer.Ordinal));
        Assert.Equal(
            [SqliteDataBackup.MarkerFileName, SqliteDataFiles.StreamLogFileName, SqliteDataFiles.StateFileName],
            Directory.GetFiles(third.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Backup_WithTheClockSetBack_KeepsTheOneJustWritten()
    {
        var time = new FakeTimeProvider(Start);
        var backup = new SqliteDataBackup(await DataFilesAsync("live"), _dir.File("backups"), time, backupsKept: 1);
        var later = await backup.BackupAsync(Ct);

        time.SetUtcNow(Start - TimeSpan.FromHours(1));
        var written = await backup.BackupAsync(Ct);

        Assert.Equal([later.Directory], written.Deleted);
        Assert.Equal([written.Directory], Directory.GetDirectories(_dir.File("backups")));
    }

    [Fact]
    public async Task Backup_InTheMillisecondOfAnother_IsNamedAMillisecondLater_AndPrunedInThatOrder()
    {
        // The clock does not move: another silo's backup into the shared folder, then three of this silo's, all in one
        // millisecond, beside a folder a silo killed mid-backup left under the name the fourth would take.
        var time = new FakeTimeProvider(Start);
        var backups = _dir.File("backups");
        var other = new SqliteDataBackup(await DataFilesAsync("other"), backups, time);
        var backup = new SqliteDataBackup(await DataFilesAsync("live"), backups, time, backupsKept: 2);
        var othersBackup = await other.BackupAsync(Ct);
        var first = await backup.BackupAsync(Ct);
        var second = await backup.BackupAsync(Ct);
        var cutShort = Directory.CreateDirectory(Path.Combine(backups, "20261206T020000.003Z.partial")).FullName;
        var third = await backup.BackupAsync(Ct);

        Assert.Equal(
            [.. new[] { "20261206T020000.000Z", "20261206T020000.001Z", "20261206T020000.002Z", "20261206T020000.004Z" }.Select(name => Path.Combine(backups, name))],
            new[] { othersBackup.Directory, first.Directory, second.Directory, third.Directory });
        Assert.All(new[] { first, second, third }, b => Assert.Equal(Start, b.StartedAt));
        Assert.Empty(second.Deleted);
        Assert.Equal([first.Directory], third.Deleted);
        Assert.Equal(
            new[] { othersBackup.Directory, second.Directory, third.Directory, cutShort }.Order(StringComparer.Ordinal),
            Directory.GetDirectories(backups).Order(StringComparer.Ordinal));
        Assert.All(new[] { second.Directory, third.Directory }, folder => Assert.Equal(
            [SqliteDataBackup.MarkerFileName, SqliteDataFiles.StreamLogFileName, SqliteDataFiles.StateFileName],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task Backup_FailingHalfway_LeavesNothingUnderABackupsName_AndSaysWhere()
    {
        var live = _dir.File("live");
        await CreateDatabaseAsync(Path.Combine(live, SqliteDataFiles.StreamLogFileName));
        var files = SqliteDataFiles.In(live);
        Assert.False(files.Shared);
        var backups = _dir.File("backups");

        // The fills log is copied, then the state file is missing.
        var error = await Assert.ThrowsAsync<DataBackupFailedException>(() => new SqliteDataBackup(files, backups, TimeProvider.System).BackupAsync(Ct));

        Assert.StartsWith($"The backup could not be written into {backups} (Storage:BackupDirectory): ", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(backups));
    }

    [Fact]
    public async Task Backup_DeletesWhatThisSilosKilledBackupLeft_AndNoOneElses()
    {
        var time = new FakeTimeProvider(Start);
        var backups = _dir.File("backups");
        var other = new SqliteDataBackup(await DataFilesAsync("other"), backups, time);
        var backup = new SqliteDataBackup(await DataFilesAsync("live"), backups, time);
        var otherSilos = (await other.BackupAsync(Ct)).Directory;
        time.Advance(TimeSpan.FromSeconds(1));
        var mine = (await backup.BackupAsync(Ct)).Directory;

        // What a silo killed mid-copy leaves: its marker, a database half written and the journal beside it. Made here
        // from complete backups renamed, the marker being the one a backup writes. Without a marker (a backup started
        // before markers were written first), or another silo's, it is left alone.
        var killed = Path.Combine(backups, "20261206T015959.000Z.partial");
        Directory.Move(mine, killed);
        await File.WriteAllTextAsync(Path.Combine(killed, SqliteDataFiles.StateFileName + "-journal"), "", Ct);
        var othersKilled = otherSilos + ".partial";
        Directory.Move(otherSilos, othersKilled);
        var unmarked = Directory.CreateDirectory(Path.Combine(backups, "20260102T000000.000Z.partial")).FullName;
        await File.WriteAllTextAsync(Path.Combine(unmarked, SqliteDataFiles.StateFileName), "half", Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var next = await backup.BackupAsync(Ct);

        Assert.Equal([killed], next.Deleted);
        Assert.Equal(
            new[] { next.Directory, othersKilled, unmarked }.Order(StringComparer.Ordinal),
            Directory.GetDirectories(backups).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Backup_LeavesTheBackupsOfASiloWhoseDataDirectoryHasTheSamePathOnAnotherMachine()
    {
        // Two containers whose data directories have the same path back up into one shared folder. Played on one machine:
        // the other's backups are written first, then the data directory gets another id, as the other machine's has.
        var time = new FakeTimeProvider(Start);
        var backups = _dir.File("backups");
        var files = await DataFilesAsync("live");
        var othersDone = (await new SqliteDataBackup(files, backups, time).BackupAsync(Ct)).Directory;
        time.Advance(TimeSpan.FromSeconds(1));
        var othersKilled = (await new SqliteDataBackup(files, backups, time).BackupAsync(Ct)).Directory + ".partial";
        Directory.Move(othersKilled[..^".partial".Length], othersKilled);

        var id = Path.Combine(_dir.File("live"), SqliteDataBackup.DataDirectoryIdFileName);
        File.Delete(id);
        await File.WriteAllTextAsync(id, Guid.NewGuid().ToString("D"), Ct);
        var backup = new SqliteDataBackup(files, backups, time, backupsKept: 1);
        time.Advance(TimeSpan.FromSeconds(1));
        var first = await backup.BackupAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var second = await backup.BackupAsync(Ct);

        Assert.Equal(
            new[] { othersDone, othersKilled, second.Directory }.Order(StringComparer.Ordinal),
            Directory.GetDirectories(backups).Order(StringComparer.Ordinal));
        Assert.Empty(first.Deleted);
        Assert.Equal([first.Directory], second.Deleted);
    }

    [Fact]
    public async Task Backup_OpenedToLookInto_GetsNoFilesBesideIt_AndIsStillPruned()
    {
        var time = new FakeTimeProvider(Start);
        var backup = new SqliteDataBackup(await DataFilesAsync("live"), _dir.File("backups"), time, backupsKept: 1);
        var first = await backup.BackupAsync(Ct);

        // An operator checks the copy (sqlite3 on it, read only) before it is pruned.
        await using (var look = new SqliteConnection($"Data Source={Path.Combine(first.Directory, SqliteDataFiles.StateFileName)};Mode=ReadOnly;Pooling=False"))
        {
            await look.OpenAsync(Ct);
            await using var count = look.CreateCommand();
            count.CommandText = "SELECT count(*) FROM t;";
            Assert.Equal(1L, await count.ExecuteScalarAsync(Ct));
        }

        Assert.Equal(
            [SqliteDataBackup.MarkerFileName, SqliteDataFiles.StreamLogFileName, SqliteDataFiles.StateFileName],
            Directory.GetFiles(first.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        time.Advance(TimeSpan.FromSeconds(1));
        var second = await backup.BackupAsync(Ct);
        Assert.Equal([first.Directory], second.Deleted);
    }

    private async Task<SqliteDataFiles> DataFilesAsync(string name)
    {
        var directory = _dir.File(name);
        await CreateDatabaseAsync(Path.Combine(directory, SqliteDataFiles.StateFileName));
        await CreateDatabaseAsync(Path.Combine(directory, SqliteDataFiles.StreamLogFileName));
        return SqliteDataFiles.In(directory);
    }

    private static async Task CreateDatabaseAsync(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('x');";
        await command.ExecuteNonQueryAsync(Ct);
    }
}
