using Microsoft.Data.Sqlite;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Grains.Tests;

public sealed class SqliteDataFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void AFreshDirectory_PutsTheLogInItsOwnFile_SyncedAfterTheState()
    {
        var files = SqliteDataFiles.In(_dir.Path);

        Assert.False(files.Shared);
        Assert.Equal(_dir.File(SqliteDataFiles.StateFileName), files.State);
        Assert.Equal(_dir.File(SqliteDataFiles.StreamLogFileName), files.StreamLog);
        var log = new SqliteStorageOptions();
        files.ConfigureStreamLog(log);
        Assert.Equal(files.StreamLog, log.DataSource);
        Assert.Equal(files.State, log.SyncBeforeCommit);
        var state = new SqliteStorageOptions();
        files.ConfigureState(state);
        Assert.Equal(files.State, state.DataSource);
        Assert.Null(state.SyncBeforeCommit);
    }

    [Fact]
    public async Task AStateFileHoldingALog_KeepsIt_UnlessTheLogsOwnFileExists()
    {
        using (var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = _dir.File(SqliteDataFiles.StateFileName) }))
        {
            await new SqliteDurableStreamLog(database).InitializeAsync(Ct);
        }

        var kept = SqliteDataFiles.In(_dir.Path);
        Assert.True(kept.Shared);
        var log = new SqliteStorageOptions();
        kept.ConfigureStreamLog(log);
        Assert.Equal(kept.State, log.DataSource);
        Assert.Null(log.SyncBeforeCommit);

        await File.WriteAllBytesAsync(_dir.File(SqliteDataFiles.StreamLogFileName), [], Ct);
        Assert.False(SqliteDataFiles.In(_dir.Path).Shared);
    }

    [Fact]
    public async Task AStateFileWithoutALog_IsSplit()
    {
        using (var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = _dir.File(SqliteDataFiles.StateFileName) }))
        {
            await new SqliteGrainStorage(database, new Runtime.JsonGrainStateSerializer([])).InitializeAsync(Ct);
        }

        Assert.False(SqliteDataFiles.In(_dir.Path).Shared);
    }
}
