using System.Net;
using System.Text.Json;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Market;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class StrategyTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    /// <summary>
    /// docs/api.md: STRATEGY_ALREADY_EXISTS names a strategy id the account already has. An account holding its most
    /// strategies refused a new id with that reason too, so a client read its new id as taken; the limit has its own.
    /// </summary>
    [Fact]
    public async Task ANewStrategyBeyondTheAccountsLimit_Is409StrategyLimit_AndAnExistingIdStillAlreadyExists()
    {
        var account = await Host.CreateAccountAsync();
        var root = $"/api/accounts/{account}/strategies";
        var body = (string id) => new
        {
            strategyId = id, kind = "sma-crossover", symbols = new[] { "STRL" },
            parameters = new Dictionary<string, string> { ["quantity"] = "5", ["fastPeriod"] = "3", ["slowPeriod"] = "8" },
        };
        await Host.SendJsonAsync(HttpMethod.Post, root, Host.AdminKey, body("kept"), HttpStatusCode.Created);

        // docs/grains.md: an account's strategy directory holds at most 100 ids.
        const int maxStrategies = 100;
        var directory = Host.Grains.GetGrain<IStrategyDirectoryGrain>(account);
        for (var i = 1; i < maxStrategies; i++)
        {
            Assert.True(await directory.AddAsync($"filler-{i}"));
        }

        var full = await Host.SendJsonAsync(HttpMethod.Post, root, Host.AdminKey, body("one-more"), HttpStatusCode.Conflict);
        var existing = await Host.SendJsonAsync(HttpMethod.Post, root, Host.AdminKey, body("kept"), HttpStatusCode.Conflict);

        Assert.Equal("STRATEGY_LIMIT", full.GetProperty("reason").GetString());
        Assert.Contains($"({maxStrategies})", full.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("STRATEGY_ALREADY_EXISTS", existing.GetProperty("reason").GetString());
        await Host.SendJsonAsync(HttpMethod.Get, $"{root}/one-more", Host.AdminKey, null, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Strategy_IsCreatedListedStartedStoppedAndDeleted_ThroughTheApi()
    {
        var account = await Host.CreateAccountAsync();
        var (trader, _) = await Host.IssueKeyAsync(["trader"], [account]);
        var root = $"/api/accounts/{account}/strategies";

        var created = await Host.SendJsonAsync(HttpMethod.Post, root, trader, new
        {
            strategyId = "sma-1", kind = "sma-crossover", symbols = new[] { "STRA" }, barInterval = "1s",
            parameters = new Dictionary<string, string> { ["quantity"] = "5", ["fastPeriod"] = "3", ["slowPeriod"] = "8" },
        }, HttpStatusCode.Created);
        Assert.False(created.GetProperty("running").GetBoolean());

        var listed = await Host.SendJsonAsync(HttpMethod.Get, root, trader, null, HttpStatusCode.OK);
        Assert.Equal("sma-1", Assert.Single(listed.EnumerateArray()).GetProperty("strategyId").GetString());
        var started = await Host.SendJsonAsync(HttpMethod.Post, $"{root}/sma-1/start", trader, null, HttpStatusCode.OK);
        Assert.True(started.GetProperty("running").GetBoolean());
        var stopped = await Host.SendJsonAsync(HttpMethod.Post, $"{root}/sma-1/stop", trader, null, HttpStatusCode.OK);
        Assert.False(stopped.GetProperty("running").GetBoolean());
        var changed = await Host.SendJsonAsync(HttpMethod.Put, $"{root}/sma-1/parameters", trader, new
        {
            parameters = new Dictionary<string, string> { ["quantity"] = "7", ["fastPeriod"] = "4", ["slowPeriod"] = "9" },
        }, HttpStatusCode.OK);
        Assert.Equal("9", changed.GetProperty("parameters").GetProperty("slowPeriod").GetString());

        // Its days: today's so far, nothing traded yet; a backward range is refused.
        var performance = await Host.SendJsonAsync(HttpMethod.Get, $"{root}/sma-1/performance", trader, null, HttpStatusCode.OK);
        var today = Assert.Single(performance.GetProperty("days").EnumerateArray());
        Assert.Equal((false, 0m, 0), (today.GetProperty("closed").GetBoolean(), today.GetProperty("pnl").GetDecimal(), today.GetProperty("fills").GetInt32()));
        Assert.Equal("sma-1", performance.GetProperty("strategyId").GetString());
        var backward = await Host.SendJsonAsync(HttpMethod.Get, $"{root}/sma-1/performance?from=2026-03-05&to=2026-03-01", trader, null, HttpStatusCode.BadRequest);
        Assert.True(backward.GetProperty("errors").TryGetProperty("from", out _), backward.ToString());

        // Its trades: none yet; the query is validated as the account's is.
        var trades = await Host.SendJsonAsync(HttpMethod.Get, $"{root}/sma-1/trades?symbol=STRA", trader, null, HttpStatusCode.OK);
        Assert.Equal(("sma-1", 0, 0), (trades.GetProperty("strategyId").GetString(), trades.GetProperty("trades").GetArrayLength(),
            trades.GetProperty("summary").GetProperty("count").GetInt32()));
        var badLimit = await Host.SendJsonAsync(HttpMethod.Get, $"{root}/sma-1/trades?limit=501", trader, null, HttpStatusCode.BadRequest);
        Assert.True(badLimit.GetProperty("errors").TryGetProperty("limit", out _), badLimit.ToString());

        await Host.SendJsonAsync(HttpMethod.Delete, $"{root}/sma-1", trader, null, HttpStatusCode.NoContent);
        await Host.SendJsonAsync(HttpMethod.Get, $"{root}/sma-1", trader, null, HttpStatusCode.NotFound);
        await Host.SendJsonAsync(HttpMethod.Get, $"{root}/sma-1/trades", trader, null, HttpStatusCode.NotFound);
        await Host.SendJsonAsync(HttpMethod.Get, $"{root}/sma-1/performance", trader, null, HttpStatusCode.NotFound);
        var empty = await Host.SendJsonAsync(HttpMethod.Get, root, trader, null, HttpStatusCode.OK);
        Assert.Empty(empty.EnumerateArray());
    }

    [Fact]
    public async Task Strategy_IsRefusedWith422_ForAnUnknownKind()
    {
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey, new
        {
            kind = "martingale", symbols = new[] { "STRB" },
        }, HttpStatusCode.UnprocessableEntity);

        Assert.Equal("STRATEGY_KIND_UNKNOWN", problem.GetProperty("reason").GetString());
        var listed = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/strategies", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Empty(listed.EnumerateArray());
    }

    [Fact]
    public async Task Strategy_WithARepeatedSymbol_IsRefusedWith422_NotCreatedOnTheSymbolOnce()
    {
        var account = await Host.CreateAccountAsync();

        // docs/strategies.md: a repeated symbol is refused like an unknown parameter, with every problem (422).
        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey, new
        {
            strategyId = "twice", kind = "sma-crossover", symbols = new[] { "STRC", "STRC" },
            parameters = new Dictionary<string, string> { ["quantity"] = "5" },
        }, HttpStatusCode.UnprocessableEntity);

        Assert.Equal("STRATEGY_PARAMETERS_INVALID", problem.GetProperty("reason").GetString());
        var listed = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/strategies", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Empty(listed.EnumerateArray());
    }

    [Fact]
    public async Task Strategy_WithASymbolParameter_IsRefusedWith422_NotCreatedOnItsSymbolsWithTheParameterIgnored()
    {
        var account = await Host.CreateAccountAsync();

        // The symbols field says what a strategy trades; /api/strategy-kinds lists no "symbol" parameter, so one naming
        // another symbol is refused like any unknown name, and the names it lists are the ones the kinds list shows.
        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey, new
        {
            strategyId = "elsewhere", kind = "sma-crossover", symbols = new[] { "STRS" },
            parameters = new Dictionary<string, string> { ["symbol"] = "STRT", ["quantity"] = "5" },
        }, HttpStatusCode.UnprocessableEntity);

        Assert.Equal("STRATEGY_PARAMETERS_INVALID", problem.GetProperty("reason").GetString());
        Assert.Equal(
            "Invalid parameters for strategy 'sma-crossover': symbol: is not a parameter of this strategy (known: quantity, fastPeriod, slowPeriod, allowShort, trailingStopPercent)",
            problem.GetProperty("detail").GetString());
        var listed = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/strategies", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Empty(listed.EnumerateArray());
    }

    /// <summary>
    /// docs/api.md, Errors: no exception text in a problem. The kind's refusal names every bad parameter in words, without
    /// the " (Parameter 'x')" that .NET appends to an ArgumentException's message for the first one only.
    /// </summary>
    [Fact]
    public async Task Strategy_WithInvalidParameters_IsRefusedWithEveryProblemInWords_NotExceptionText()
    {
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey, new
        {
            strategyId = "bad", kind = "sma-crossover", symbols = new[] { "STRP" },
            parameters = new Dictionary<string, string> { ["fastPeriod"] = "0" },
        }, HttpStatusCode.UnprocessableEntity);

        Assert.Equal("STRATEGY_PARAMETERS_INVALID", problem.GetProperty("reason").GetString());
        Assert.Equal("Invalid parameters for strategy 'sma-crossover': quantity: is required; fastPeriod: must be >= 1 (got 0)",
            problem.GetProperty("detail").GetString());
    }

    /// <summary>
    /// A symbol the silo does not list trades whole shares: 1.5 was accepted (201) and every order the strategy sent was
    /// denied by the account as FRACTIONAL_NOT_ALLOWED.
    /// </summary>
    [Fact]
    public async Task Strategy_WithAFractionalQuantity_OnASymbolOfWholeShares_IsRefusedNamingQuantity()
    {
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey, new
        {
            strategyId = "half", kind = "sma-crossover", symbols = new[] { "STRP" },
            parameters = new Dictionary<string, string> { ["quantity"] = "1.5" },
        }, HttpStatusCode.UnprocessableEntity);

        Assert.Equal("STRATEGY_PARAMETERS_INVALID", problem.GetProperty("reason").GetString());
        Assert.Equal("Invalid parameters for strategy 'sma-crossover': quantity: 1.5 cannot be ordered in STRP, "
            + "the account refuses it as FRACTIONAL_NOT_ALLOWED (STRP does not allow fractional quantities.)", problem.GetProperty("detail").GetString());
    }

    /// <summary>
    /// A period is a window allocated when the strategy is built: the largest int failed the request with a 500 (an
    /// out-of-memory error out of the grain), and a billion asked the silo for 16 GB. Above the maximum it is refused by name.
    /// </summary>
    [Fact]
    public async Task StrategyAndBacktest_WithAPeriodAboveTheMaximum_AreRefusedWith422_NamingIt()
    {
        var account = await Host.CreateAccountAsync();
        var parameters = new Dictionary<string, string> { ["quantity"] = "1", ["period"] = "2147483647" };
        const string Detail = "Invalid parameters for strategy 'bollinger-breakout': period: must be <= 100000 (got 2147483647)";

        var created = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey, new
        {
            strategyId = "huge", kind = "bollinger-breakout", symbols = new[] { "STRP" }, parameters,
        }, HttpStatusCode.UnprocessableEntity);
        var backtest = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", Host.AdminKey, new
        {
            kind = "bollinger-breakout", symbols = new[] { "STRP" }, parameters,
        }, HttpStatusCode.UnprocessableEntity);

        foreach (var problem in new[] { created, backtest })
        {
            Assert.Equal("STRATEGY_PARAMETERS_INVALID", problem.GetProperty("reason").GetString());
            Assert.Equal(Detail, problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Backtest_RunsOnTheSilosBars_AndReportsMoneyToTheCent()
    {
        var t0 = DateTimeOffset.UnixEpoch.AddMinutes(29_000_000);
        await IngestWaveAsync("BTGW", t0);
        var parameters = new Dictionary<string, string> { ["quantity"] = "7", ["fastPeriod"] = "2", ["slowPeriod"] = "5" };
        var (anyKey, _) = await Host.IssueKeyAsync(["risk"], [await Host.CreateAccountAsync()]);

        var report = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "BTGW" }, parameters, bars = 80, initialCash = 10_000,
            feeModel = new { kind = "basisPoints", basisPoints = 1.5m },
        }, HttpStatusCode.OK);

        var symbol = Assert.Single(report.GetProperty("symbols").EnumerateArray());
        Assert.Equal((80, "silo"), (symbol.GetProperty("bars").GetInt32(), symbol.GetProperty("source").GetString()));
        Assert.True(report.GetProperty("fills").GetInt32() >= 4, report.ToString());

        // Prices to the hundredth of a cent leave the grain's cash with fractions of a cent; the API rounds what it reports.
        var raw = (await Host.Grains.GetGrain<IBacktestGrain>(0).RunAsync(new RunBacktest
        {
            Kind = "sma-crossover", Symbols = ["BTGW"], Parameters = parameters, Bars = 80, InitialCash = 10_000m,
            FeeModel = new Domain.Fees.FeeModelSpec { Kind = Domain.Fees.FeeModelKind.BasisPoints, BasisPoints = 1.5m },
        })).Report!;
        Assert.True(raw.EndingCash.Scale > 2, $"cash {raw.EndingCash} has no fraction of a cent to round");
        Assert.Equal(Money.RoundForReport(raw.EndingCash), report.GetProperty("endingCash").GetDecimal());
        Assert.Equal(Money.RoundForReport(raw.TotalFees), report.GetProperty("totalFees").GetDecimal());
        Assert.Equal(Money.RoundForReport(raw.EndingEquity), report.GetProperty("endingEquity").GetDecimal());
        Assert.Equal(Money.RoundForReport(raw.NetPnl), report.GetProperty("netPnl").GetDecimal());
        Assert.Equal(raw.RoundTrips.Count, report.GetProperty("roundTrips").GetArrayLength());
        Assert.Equal(raw.Statistics.TradeCount, report.GetProperty("statistics").GetProperty("tradeCount").GetInt32());
        var curve = report.GetProperty("equityCurve").EnumerateArray().ToList();
        Assert.Equal(raw.EquityCurve.Count, curve.Count);
        Assert.Equal(raw.EquityCurve.Select(p => Money.RoundForReport(p.Equity)), curve.Select(p => p.GetProperty("equity").GetDecimal()));

        var earlier = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "BTGW" }, parameters, bars = 20, end = t0.AddMinutes(40),
        }, HttpStatusCode.OK);
        var window = Assert.Single(earlier.GetProperty("symbols").EnumerateArray());
        Assert.Equal((20, t0.AddMinutes(40)), (window.GetProperty("bars").GetInt32(), window.GetProperty("lastBarEnd").GetDateTimeOffset()));

        var invalid = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "BTGW" }, bars = 0, fill = "whenever", slippageBps = -1,
        }, HttpStatusCode.BadRequest);
        var errors = invalid.GetProperty("errors");
        Assert.True(errors.TryGetProperty("bars", out _) && errors.TryGetProperty("fill", out _) && errors.TryGetProperty("slippageBps", out _), invalid.ToString());

        // Slippage goes through to the grain and back: the same run at 10 bps ends lower.
        var slipped = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "BTGW" }, parameters, bars = 80, initialCash = 10_000,
            feeModel = new { kind = "basisPoints", basisPoints = 1.5m }, slippageBps = 10,
        }, HttpStatusCode.OK);
        Assert.Equal(10m, slipped.GetProperty("slippageBps").GetDecimal());
        Assert.True(slipped.GetProperty("netPnl").GetDecimal() < report.GetProperty("netPnl").GetDecimal(), slipped.ToString());
        var unknown = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", anyKey, new { kind = "martingale", symbols = new[] { "BTGW" } },
            HttpStatusCode.UnprocessableEntity);
        Assert.Equal("STRATEGY_KIND_UNKNOWN", unknown.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task BacktestFill_IsReadInAnyCase_WithOrWithoutSeparators_AsEveryEnumOfTheApi()
    {
        var t0 = DateTimeOffset.UnixEpoch.AddMinutes(29_100_000);
        await IngestWaveAsync("BTFC", t0);
        var parameters = new Dictionary<string, string> { ["quantity"] = "7", ["fastPeriod"] = "2", ["slowPeriod"] = "5" };
        var (anyKey, _) = await Host.IssueKeyAsync(["risk"], [await Host.CreateAccountAsync()]);
        async Task<decimal> NetPnlAsync(string fill) => (await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "BTFC" }, parameters, bars = 80, fill,
        }, HttpStatusCode.OK)).GetProperty("netPnl").GetDecimal();

        // docs/api.md: requests accept enum names in any case, with or without '_'/'-', as "stop_limit" is a stopLimit.
        var atClose = await NetPnlAsync("signalBarClose");
        Assert.Equal(atClose, await NetPnlAsync("SIGNAL_BAR_CLOSE"));
        Assert.Equal(atClose, await NetPnlAsync("signal-bar-close"));
        Assert.Equal(await NetPnlAsync("nextBarOpen"), await NetPnlAsync("NextBarOpen"));
    }

    [Fact]
    public async Task BacktestOnFiles_IsValidatedForItsIntervalsAndBounds_AndRefusedWith422_WhereTheSiloHasNoFiles()
    {
        var (anyKey, _) = await Host.IssueKeyAsync(["risk"], [await Host.CreateAccountAsync()]);
        var parameters = new Dictionary<string, string> { ["quantity"] = "1", ["fastPeriod"] = "2", ["slowPeriod"] = "5" };

        // Daily bars and 20,000 of them pass validation for files; the fixture's silo has no folder of files.
        var noFiles = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "SPY" }, parameters, source = "files", barInterval = "1d", bars = 20_000,
        }, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("BACKTEST_NO_FILES", noFiles.GetProperty("reason").GetString());
        var noList = await Host.SendJsonAsync(HttpMethod.Get, "/api/backtests/files", anyKey, null, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("BACKTEST_NO_FILES", noList.GetProperty("reason").GetString());

        var dailyFromTheSilo = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "SPY" }, parameters, barInterval = "1d", bars = 3_601,
        }, HttpStatusCode.BadRequest);
        Assert.Equal(("Must be \"1m\" or \"1s\".", "Must be 1 to 3600."),
            (dailyFromTheSilo.GetProperty("errors").GetProperty("barInterval")[0].GetString(), dailyFromTheSilo.GetProperty("errors").GetProperty("bars")[0].GetString()));
        var secondsFromFiles = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "SPY" }, parameters, source = "files", barInterval = "1s", bars = 20_001,
        }, HttpStatusCode.BadRequest);
        Assert.Equal(("Must be \"1m\" or \"1d\" from files.", "Must be 1 to 20000 from files."),
            (secondsFromFiles.GetProperty("errors").GetProperty("barInterval")[0].GetString(), secondsFromFiles.GetProperty("errors").GetProperty("bars")[0].GetString()));
        var unknownSource = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "SPY" }, parameters, source = "s3",
        }, HttpStatusCode.BadRequest);
        Assert.True(unknownSource.GetProperty("errors").TryGetProperty("source", out _), unknownSource.ToString());
        var backwards = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "SPY" }, parameters, source = "files", start = "2021-01-01T00:00:00Z", end = "2020-01-01T00:00:00Z",
        }, HttpStatusCode.BadRequest);
        Assert.Equal("Must be before end.", backwards.GetProperty("errors").GetProperty("start")[0].GetString());
    }

    [Fact]
    public async Task BacktestSweep_RanksTheGridsRuns_WithMoneyToTheCent_AndValidatesTheGrid()
    {
        var t0 = DateTimeOffset.UnixEpoch.AddMinutes(29_100_000);
        await IngestWaveAsync("SWGW", t0);
        var (anyKey, _) = await Host.IssueKeyAsync(["risk"], [await Host.CreateAccountAsync()]);

        var report = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests/sweep", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "SWGW" }, parameters = new Dictionary<string, string> { ["quantity"] = "7" }, bars = 80,
            feeModel = new { kind = "basisPoints", basisPoints = 1.5m }, rankBy = "sharpeRatio",
            grid = new Dictionary<string, string[]> { ["fastPeriod"] = ["2", "3", "6"], ["slowPeriod"] = ["5", "6"] },
        }, HttpStatusCode.OK);

        Assert.Equal("SharpeRatio", report.GetProperty("rankBy").GetString());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("validationSymbols").ValueKind);
        var runs = report.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal((4, 2), (runs.Count, report.GetProperty("refused").GetArrayLength()));
        Assert.All(runs, run => Assert.True(run.GetProperty("netPnl").GetDecimal().Scale <= 2, run.ToString()));
        var sharpe = runs.Select(r => r.GetProperty("statistics").GetProperty("sharpeRatio")).Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetDouble()).ToList();
        Assert.Equal(sharpe.OrderDescending(), sharpe);

        var invalid = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests/sweep", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "SWGW" }, parameters = new Dictionary<string, string> { ["quantity"] = "7" }, rankBy = "luck",
            grid = new Dictionary<string, string[]> { ["quantity"] = ["1"], ["fastPeriod"] = [.. Enumerable.Range(1, 201).Select(i => $"{i}")] },
        }, HttpStatusCode.BadRequest);
        var errors = invalid.GetProperty("errors");
        Assert.True(errors.TryGetProperty("rankBy", out _) && errors.TryGetProperty("grid.quantity", out _), invalid.ToString());
        Assert.Equal("Makes 201 runs; at most 200.", errors.GetProperty("grid")[0].GetString());
        var validated = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests/sweep", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "SWGW" }, parameters = new Dictionary<string, string> { ["quantity"] = "7" },
            start = t0, end = t0.AddMinutes(45), feeModel = new { kind = "basisPoints", basisPoints = 1.5m },
            grid = new Dictionary<string, string[]> { ["fastPeriod"] = ["2", "3"], ["slowPeriod"] = ["5"] },
            validation = new { start = t0.AddMinutes(45), end = t0.AddMinutes(90) },
        }, HttpStatusCode.OK);
        Assert.Equal(45, Assert.Single(validated.GetProperty("validationSymbols").EnumerateArray()).GetProperty("bars").GetInt32());
        Assert.All(validated.GetProperty("runs").EnumerateArray(), run => Assert.True(run.GetProperty("validation").GetProperty("netPnl").GetDecimal().Scale <= 2, run.ToString()));
        var backwardsWindow = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests/sweep", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "SWGW" }, grid = new Dictionary<string, string[]> { ["fastPeriod"] = ["2"] },
            validation = new { start = t0.AddMinutes(45) },
        }, HttpStatusCode.BadRequest);
        Assert.Equal("Needs a start and an end after it.", backwardsWindow.GetProperty("errors").GetProperty("validation")[0].GetString());

        var missing = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests/sweep", anyKey, new { kind = "sma-crossover", symbols = new[] { "SWGW" } },
            HttpStatusCode.BadRequest);
        Assert.True(missing.GetProperty("errors").TryGetProperty("grid", out _), missing.ToString());

        // The API's strict JSON holds for the sweep too: a misspelt member is refused, not ignored.
        await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests/sweep", anyKey, new
        {
            kind = "sma-crossover", symbols = new[] { "SWGW" }, grids = new Dictionary<string, string[]> { ["fastPeriod"] = ["2"] },
        }, HttpStatusCode.BadRequest);
    }

    /// <summary>90 one-minute bars of a wave, prices to the hundredth of a cent: moving averages cross again and again.</summary>
    private async Task IngestWaveAsync(string symbol, DateTimeOffset t0)
    {
        var bars = Enumerable.Range(0, 90).Select(i =>
        {
            var close = 50m + Math.Round((decimal)Math.Sin(i / 2.0) * 2m, 4);
            return new Bar(symbol, t0.AddMinutes(i), TimeSpan.FromMinutes(1), close, close, close, close, 100m, 1);
        }).ToList();
        Assert.Equal(90, (await Host.Grains.GetGrain<ISymbolGrain>(symbol).IngestAsync(new TickBatch { Bars = bars })).Accepted);
    }
}
