using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Silo.Tests;

/// <summary>Where the embedded default (SQLite) puts grain state and the fills log.</summary>
public sealed class EmbeddedStorageTests : IDisposable
{
    private readonly SiloDataDirectory _data = new("data");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task AFreshDataDirectory_GetsTheFillsLog_InAFileOfItsOwn()
    {
        await _data.TradeOnceAsync("split");

        var state = Path.Combine(_data.Path, SqliteDataFiles.StateFileName);
        var log = Path.Combine(_data.Path, SqliteDataFiles.StreamLogFileName);
        Assert.False(SqliteDurableStreamLog.ExistsIn(state));
        Assert.True(await CountAsync(state, "SELECT count(*) FROM grain_state WHERE grain_key = 'split';") > 0);
        Assert.True(await CountAsync(log, "SELECT count(*) FROM stream_events WHERE stream_namespace = 'fills' AND stream_key = 'split';") > 0);
    }

    [Fact]
    public async Task ADataDirectoryFromBeforeTheSplit_KeepsItsLog_WithWhatItHeld()
    {
        // A state file that already holds a stream log with an event in it, as every earlier build wrote it.
        var state = Path.Combine(_data.Path, SqliteDataFiles.StateFileName);
        var earlier = StreamId.Create(StreamNames.Fills, "earlier");
        using (var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = state }))
        {
            var old = new SqliteDurableStreamLog(database);
            await old.InitializeAsync(Ct);
            await old.AppendAsync(earlier, [new byte[] { 1 }], TimeProvider.System.GetUtcNow(), Ct);
        }

        await _data.TradeOnceAsync("kept");

        Assert.False(File.Exists(Path.Combine(_data.Path, SqliteDataFiles.StreamLogFileName)));
        Assert.Equal(1, await CountAsync(state, "SELECT count(*) FROM stream_events WHERE stream_key = 'earlier';"));
        Assert.True(await CountAsync(state, "SELECT count(*) FROM stream_events WHERE stream_namespace = 'fills' AND stream_key = 'kept';") > 0);
    }

    [Fact]
    public void ASecondSilo_OnTheSameDataDirectory_StopsWithAMessage_UntilTheFirstHasStopped()
    {
        using (var first = _data.Silo())
        {
            using var client = first.CreateClient();
            using var second = _data.SiloWhoseStartFails();
            var refused = Assert.Throws<InvalidOperationException>(() => second.CreateClient());
            Assert.Contains("Another silo is running on the data directory", refused.Message, StringComparison.Ordinal);
        }

        SqliteConnection.ClearAllPools();
        using var again = _data.Silo();
        using var againClient = again.CreateClient();
    }

    private static async Task<long> CountAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
