using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// A rollback: an older build started on a data directory a newer build wrote read the newer records without the members it
/// did not know and wrote them back without them. The store's format record stops such a start before anything is read.
/// </summary>
public sealed class StoreFormatSiloTests : IDisposable
{
    private readonly SiloDataDirectory _data = new("store-format");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string StateFile => Path.Combine(_data.Path, SqliteDataFiles.StateFileName);

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ASiloStart_OnADataDirectoryANewerStoreFormatWrote_IsRefused_AndWritesNothing()
    {
        await _data.TradeOnceAsync("before");
        var newer = $$"""{"Format":{{StoreFormat.Current + 1}},"LastBuild":"9.9.9+future","LastStartedAt":"2026-12-05T08:00:00+00:00"}""";
        await ExecuteAsync(
            "INSERT OR REPLACE INTO grain_state (grain_type, grain_key, state_name, version, payload) VALUES ('store-format', 'store', 'format', 7, @payload);",
            Encoding.UTF8.GetBytes(newer));
        var stored = await ScalarAsync("SELECT count(*) || '/' || sum(version) FROM grain_state;");

        using (var silo = _data.SiloWhoseStartFails())
        {
            var refused = Assert.Throws<InvalidOperationException>(() => silo.CreateClient());

            Assert.StartsWith(
                $"The store (SQLite {StateFile}) is in store format {StoreFormat.Current + 1}, last started by build 9.9.9+future at 2026-12-05 08:00:00Z; " +
                $"this build ({StoreFormat.Build}) reads store format {StoreFormat.Current} and older",
                refused.Message, StringComparison.Ordinal);
            Assert.EndsWith("(docs/deployment.md, \"Rolling back\").", refused.Message, StringComparison.Ordinal);
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(stored, await ScalarAsync("SELECT count(*) || '/' || sum(version) FROM grain_state;"));
    }

    [Fact]
    public async Task ASiloStart_RecordsItsStoreFormat_AndStartsAgainOnIt()
    {
        await _data.TradeOnceAsync("first");
        await _data.TradeOnceAsync("second");

        using var record = JsonDocument.Parse(await ScalarAsync("SELECT CAST(payload AS TEXT) FROM grain_state WHERE grain_type = 'store-format';"));
        Assert.Equal(StoreFormat.Current, record.RootElement.GetProperty("Format").GetInt32());
        Assert.Equal(StoreFormat.Build, record.RootElement.GetProperty("LastBuild").GetString());
    }

    private async Task ExecuteAsync(string sql, byte[] payload)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = StateFile, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@payload", payload);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<string> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = StateFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
