using System.Globalization;
using System.Net;
using OrleansTrader.Domain.Market;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Answers give a bar interval in the form requests take and docs/api.md documents ("1s", "1m", "1d"), not a TimeSpan's
/// "00:00:01", so a client can send back what it read; risk limits' durations stay "hh:mm:ss", as documented for them.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class BarIntervalFormTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task StrategyAnswers_GiveTheBarIntervalAsRequested_AndItCanBeSentBack()
    {
        var account = await Host.CreateAccountAsync();
        var root = $"/api/accounts/{account}/strategies";

        var created = await Host.SendJsonAsync(HttpMethod.Post, root, Host.AdminKey, new
        {
            strategyId = "bint-1", kind = "sma-crossover", symbols = new[] { "BINT" }, barInterval = "1s",
            parameters = new Dictionary<string, string> { ["quantity"] = "5", ["fastPeriod"] = "3", ["slowPeriod"] = "8" },
        }, HttpStatusCode.Created);
        var read = await Host.SendJsonAsync(HttpMethod.Get, $"{root}/bint-1", Host.AdminKey, null, HttpStatusCode.OK);
        var listed = await Host.SendJsonAsync(HttpMethod.Get, root, Host.AdminKey, null, HttpStatusCode.OK);

        Assert.Equal("1s", created.GetProperty("barInterval").GetString());
        Assert.Equal("1s", read.GetProperty("barInterval").GetString());
        Assert.Equal("1s", Assert.Single(listed.EnumerateArray()).GetProperty("barInterval").GetString());

        // What an answer says, a request takes.
        var again = await Host.SendJsonAsync(HttpMethod.Post, root, Host.AdminKey, new
        {
            strategyId = "bint-2", kind = "sma-crossover", symbols = new[] { "BINT" }, barInterval = read.GetProperty("barInterval").GetString(),
            parameters = new Dictionary<string, string> { ["quantity"] = "5", ["fastPeriod"] = "3", ["slowPeriod"] = "8" },
        }, HttpStatusCode.Created);
        Assert.Equal("1s", again.GetProperty("barInterval").GetString());
    }

    [Fact]
    public async Task BacktestAndSweepReports_AndBars_GiveTheIntervalAsRequested()
    {
        var t0 = DateTimeOffset.UnixEpoch.AddMinutes(29_100_000);
        var bars = Enumerable.Range(0, 40).Select(i =>
        {
            var close = 50m + Math.Round((decimal)Math.Sin(i / 2.0) * 2m, 4);
            return new Bar("BINB", t0.AddMinutes(i), TimeSpan.FromMinutes(1), close, close, close, close, 100m, 1);
        }).ToList();
        Assert.Equal(40, (await Host.Grains.GetGrain<ISymbolGrain>("BINB").IngestAsync(new TickBatch { Bars = bars })).Accepted);
        var parameters = new Dictionary<string, string> { ["quantity"] = "7", ["fastPeriod"] = "2", ["slowPeriod"] = "5" };

        var report = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", Host.AdminKey, new
        {
            kind = "sma-crossover", symbols = new[] { "BINB" }, parameters, barInterval = "1m", bars = 30,
        }, HttpStatusCode.OK);
        var sweep = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests/sweep", Host.AdminKey, new
        {
            kind = "sma-crossover", symbols = new[] { "BINB" }, parameters = new Dictionary<string, string> { ["quantity"] = "7", ["slowPeriod"] = "5" },
            grid = new Dictionary<string, string[]> { ["fastPeriod"] = ["2", "3"] }, bars = 30,
        }, HttpStatusCode.OK);
        var from = t0.ToString("O", CultureInfo.InvariantCulture);
        var to = t0.AddMinutes(10).ToString("O", CultureInfo.InvariantCulture);
        var read = await Host.SendJsonAsync(HttpMethod.Get, $"/api/symbols/BINB/bars?interval=1m&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}",
            Host.AdminKey, null, HttpStatusCode.OK);

        Assert.Equal("1m", report.GetProperty("barInterval").GetString());
        Assert.Equal("1m", sweep.GetProperty("barInterval").GetString());
        Assert.NotEmpty(read.EnumerateArray());
        Assert.All(read.EnumerateArray(), bar => Assert.Equal("1m", bar.GetProperty("interval").GetString()));
    }

    [Fact]
    public async Task RiskLimits_KeepTheirDocumentedHoursMinutesSeconds_BothWays()
    {
        var account = await Host.CreateAccountAsync();

        var limits = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/risk", Host.AdminKey, null, HttpStatusCode.OK);
        var changed = await Host.SendJsonAsync(HttpMethod.Put, $"/api/accounts/{account}/risk", Host.AdminKey, new
        {
            submitWindow = limits.GetProperty("submitWindow").GetString(), maxQuoteAge = "00:00:05",
        }, HttpStatusCode.OK);

        Assert.Equal(("00:01:00", "00:00:30"), (limits.GetProperty("submitWindow").GetString(), limits.GetProperty("maxQuoteAge").GetString()));
        Assert.Equal(("00:01:00", "00:00:05"), (changed.GetProperty("submitWindow").GetString(), changed.GetProperty("maxQuoteAge").GetString()));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesAnAnswersBarIntervalAsWritten()
    {
        var document = await Host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", Host.AdminKey, null, HttpStatusCode.OK);
        var schemas = document.GetProperty("components").GetProperty("schemas");

        foreach (var (schema, property) in new[] { ("StrategyStatus", "barInterval"), ("BacktestReport", "barInterval"), ("Bar", "interval") })
        {
            var described = schemas.GetProperty(schema).GetProperty("properties").GetProperty(property);
            Assert.True(described.TryGetProperty("pattern", out var pattern), $"{schema}.{property}: {described}");
            Assert.Equal("^[0-9]+[smhd]$", pattern.GetString());
        }
    }
}
