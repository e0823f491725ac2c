using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using OrleansTrader.Gateway.Security;

namespace OrleansTrader.Gateway.Tests;

/// <summary>POST /api/backups on the silo's own Program: the embedded default's two files, copied while it runs.</summary>
public sealed class BackupsApiTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "ot-backups-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Backup_OnSqlite_WritesBothFilesIntoANewFolder_ForAnAdminOnly()
    {
        var key = ApiKeyHasher.Generate();
        await using var factory = Silo("sqlite", key);
        using var admin = Client(factory, key);
        using (var created = await admin.PostAsJsonAsync("/api/accounts", new { accountId = "kept", name = "Kept", initialCash = 1_000, broker = "paper" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var trader = Client(factory, await IssueTraderKeyAsync(admin));
        using (var refused = await trader.PostAsync("/api/backups", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var answer = await admin.PostAsync("/api/backups", null, Ct);
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        var backup = await answer.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var directory = backup.GetProperty("directory").GetString()!;
        Assert.Equal(Path.Combine(Path.GetFullPath(_data), "backups"), Path.GetDirectoryName(directory));
        Assert.Equal(
            ["orleanstrader-streams.db", "orleanstrader.db"],
            backup.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal(["orleanstrader-streams.db", "orleanstrader.db"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());

        // The copy is a database of its own that holds what was committed before it: the account opened above.
        using var copy = new SqliteConnection($"Data Source={Path.Combine(directory, "orleanstrader.db")};Mode=ReadOnly;Pooling=False");
        await copy.OpenAsync(Ct);
        using var command = copy.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE '%grain_state%'";
        Assert.Equal(1L, await command.ExecuteScalarAsync(Ct));
        command.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Backup_OnMemoryStorage_Is409_BackupUnavailable()
    {
        var key = ApiKeyHasher.Generate();
        await using var factory = Silo("memory", key);
        using var admin = Client(factory, key);

        using var answer = await admin.PostAsync("/api/backups", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("BACKUP_UNAVAILABLE", problem.GetProperty("reason").GetString());
    }

    private WebApplicationFactory<Program> Silo(string provider, string key) => new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
        .UseSetting("Storage:Provider", provider)
        .UseSetting("Storage:DataDirectory", _data)
        .UseSetting("Demo:Enabled", "false")
        .UseSetting("Feed:Kind", "none")
        .UseSetting("Gateway:BootstrapAdminKey", key));

    private static HttpClient Client(WebApplicationFactory<Program> factory, string key)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<string> IssueTraderKeyAsync(HttpClient admin)
    {
        using var issued = await admin.PostAsJsonAsync("/api/keys", new { name = "trader", roles = new[] { "trader" }, accounts = new[] { "kept" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        return (await issued.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("key").GetString()!;
    }
}
