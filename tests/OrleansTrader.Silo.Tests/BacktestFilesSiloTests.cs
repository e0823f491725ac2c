using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Strategies;

namespace OrleansTrader.Silo.Tests;

/// <summary>A silo given a folder of market-data files backtests on real history through the API.</summary>
public sealed class BacktestFilesSiloTests
{
    private const string AdminKey = "backtest-files-silo-test-admin-key-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABacktestOnTheSharedFiles_RunsOnTwentyThreeYearsOfSpyDays_AndOnFiveSessionsOfSpyMinutes()
    {
        var data = SharedMarketData();
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Kind", "none")
            .UseSetting("Backtests:DataPath", data)
            .UseSetting("Gateway:BootstrapAdminKey", AdminKey));
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);

        var listed = await client.GetFromJsonAsync<JsonElement>("/api/backtests/files", Ct);
        var spyFiles = Assert.Single(listed.EnumerateArray(), f => f.GetProperty("symbol").GetString() == "SPY");
        Assert.Equal(("2013-10-07", "2013-10-11", 5, "1998-01-02", "2021-03-31"),
            (spyFiles.GetProperty("minuteFrom").GetString(), spyFiles.GetProperty("minuteTo").GetString(), spyFiles.GetProperty("minuteDays").GetInt32(),
                spyFiles.GetProperty("dailyFrom").GetString(), spyFiles.GetProperty("dailyTo").GetString()));

        // SPY's golden and death crosses (50 and 200 sessions), every day of the file up to the end of 2020.
        var parameters = new Dictionary<string, string> { ["quantity"] = "100", ["fastPeriod"] = "50", ["slowPeriod"] = "200" };
        var days = await BacktestAsync(client, new
        {
            kind = "sma-crossover", symbols = new[] { "SPY" }, source = "files", barInterval = "1d", bars = 20_000, end = "2021-01-01T00:00:00Z", parameters,
        });
        var spy = Assert.Single(days.GetProperty("symbols").EnumerateArray());
        Assert.Equal(("files", 5_788, new DateTimeOffset(1998, 1, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            (spy.GetProperty("source").GetString(), spy.GetProperty("bars").GetInt32(), spy.GetProperty("firstBarStart").GetDateTimeOffset(),
                spy.GetProperty("lastBarEnd").GetDateTimeOffset()));
        Assert.Equal(JsonValueKind.Null, spy.GetProperty("problem").ValueKind);
        Assert.True(days.GetProperty("roundTrips").GetArrayLength() >= 5, days.GetProperty("roundTrips").ToString());

        // The decade 2010-2020 by its dates: 2,769 sessions, the first on Monday 4 January 2010.
        var decade = await BacktestAsync(client, new
        {
            kind = "sma-crossover", symbols = new[] { "SPY" }, source = "files", barInterval = "1d", start = "2010-01-01T00:00:00Z", end = "2021-01-01T00:00:00Z", parameters,
        });
        var sessions = Assert.Single(decade.GetProperty("symbols").EnumerateArray());
        Assert.Equal((2_769, new DateTimeOffset(2010, 1, 4, 0, 0, 0, TimeSpan.Zero)), (sessions.GetProperty("bars").GetInt32(), sessions.GetProperty("firstBarStart").GetDateTimeOffset()));

        var minutes = await BacktestAsync(client, new
        {
            kind = "rsi-mean-reversion", symbols = new[] { "SPY" }, source = "files", bars = 20_000, end = "2013-10-12T00:00:00Z",
            parameters = new Dictionary<string, string> { ["quantity"] = "10" },
        });
        Assert.Equal(4_128, Assert.Single(minutes.GetProperty("symbols").EnumerateArray()).GetProperty("bars").GetInt32());
    }

    [Fact]
    public void AReplayFeedsFolder_IsWhereBacktestsReadFiles_UnlessTheyAreGivenTheirOwn()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "minute", "RPL"));
        File.WriteAllText(Path.Combine(folder.Path, "minute", "RPL", "2013-10-07.trades.csv"),
            "time,open,high,low,close,volume\n2013-10-07T09:30:00.000-04:00,10,11,9,10.5,100\n");
        using var replaying = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Kind", "replay")
            .UseSetting("Feed:Path", folder.Path)
            .UseSetting("Feed:Symbols:0", "RPL"));
        using var own = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Backtests:DataPath", Path.GetTempPath()));
        using var synthetic = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false"));

        Assert.Equal(folder.Path, DataPath(replaying));
        Assert.Equal(Path.GetTempPath(), DataPath(own));
        Assert.Null(DataPath(synthetic));
    }

    private static string? DataPath(WebApplicationFactory<Program> factory)
    {
        using var client = factory.CreateClient();
        return factory.Services.GetRequiredService<IOptions<BacktestFilesOptions>>().Value.DataPath;
    }

    private static async Task<JsonElement> BacktestAsync(HttpClient client, object request)
    {
        var response = await client.PostAsJsonAsync("/api/backtests", request, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {body}");
        return body;
    }

    /// <summary>The shared real market data beside an ancestor folder, or the test is skipped, visibly.</summary>
    private static string SharedMarketData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "market");
            if (Directory.Exists(Path.Combine(candidate, "daily")))
            {
                return candidate;
            }
        }

        Assert.Skip("Real market data not found (shared/data/market next to an ancestor folder).");
        return string.Empty;
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ot-backtest-files-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
