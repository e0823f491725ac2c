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

    private readonly List<string> _cleanUp = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var directory in _cleanUp.Append(_data).Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
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
        Assert.Equal(["backup.json", "orleanstrader-streams.db", "orleanstrader.db"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());

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
    public async Task Backup_IntoStorageBackupDirectory_CreatesItAndKeepsTheNewest()
    {
        // Another disk or mount: a folder that does not exist yet, outside the data directory.
        var elsewhere = _data + "-elsewhere";
        _cleanUp.Add(elsewhere);
        var key = ApiKeyHasher.Generate();
        await using var factory = Silo("sqlite", key, ("Storage:BackupDirectory", Path.Combine(elsewhere, "nightly")), ("Storage:BackupsKept", "2"));
        using var admin = Client(factory, key);

        var written = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            using var answer = await admin.PostAsync("/api/backups", null, Ct);
            Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
            written.Add(await answer.Content.ReadFromJsonAsync<JsonElement>(Ct));
        }

        var directories = written.Select(b => b.GetProperty("directory").GetString()!).ToList();
        Assert.All(directories, d => Assert.Equal(Path.Combine(elsewhere, "nightly"), Path.GetDirectoryName(d)));
        Assert.Empty(written[1].GetProperty("deleted").EnumerateArray());
        Assert.Equal([directories[0]], written[2].GetProperty("deleted").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(directories[1..], Directory.GetDirectories(Path.Combine(elsewhere, "nightly")).Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_data, "backups")));
    }

    [Fact]
    public async Task Backup_IntoAFolderThatCannotBeCreated_Is500NamingIt()
    {
        // A path through a file: the folder cannot be created, whoever the silo runs as.
        Directory.CreateDirectory(_data);
        var notAFolder = Path.Combine(_data, "a-file");
        await File.WriteAllTextAsync(notAFolder, "not a folder", Ct);
        var key = ApiKeyHasher.Generate();
        await using var factory = Silo("sqlite", key, ("Storage:BackupDirectory", Path.Combine(notAFolder, "backups")));
        using var admin = Client(factory, key);

        using var answer = await admin.PostAsync("/api/backups", null, Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("BACKUP_FAILED", problem.GetProperty("reason").GetString());
        Assert.StartsWith(
            $"The backup could not be written into {Path.Combine(notAFolder, "backups")} (Storage:BackupDirectory): ",
            problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
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

    private WebApplicationFactory<Program> Silo(string provider, string key, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Storage:Provider", provider)
                .UseSetting("Storage:DataDirectory", _data)
                .UseSetting("Demo:Enabled", "false")
                .UseSetting("Feed:Kind", "none")
                .UseSetting("Gateway:BootstrapAdminKey", key);
            foreach (var (name, value) in settings)
            {
                b.UseSetting(name, value);
            }
        });

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
