using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Indicators;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Brokers;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A strategy stored with parameters a later build refuses (a decimal "1,5", a quantity its symbol cannot be ordered in)
/// does not start: its lastError names the parameter and the log says it did not start, never that it started.
/// </summary>
public sealed class StrategyStoredParametersTests : IDisposable
{
    private const string WholeShares = "SPWHOLE";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// A quantity the symbol's instrument refuses (1.5 of a stock that trades whole shares) is refused at create since the
    /// quantity check; one stored before it started, and the account denied every order it sent as FRACTIONAL_NOT_ALLOWED.
    /// It is treated as a stored decimal that no longer reads is: not started, lastError naming quantity.
    /// </summary>
    [Fact]
    public async Task AStoredQuantityTheSymbolRefuses_DoesNotStart_AtActivationOrStart_AndLastErrorNamesQuantity()
    {
        var path = _dir.File("quantity.db");
        await using (var before = await StartAsync(path, new Instrument { Symbol = WholeShares, FractionalAllowed = true }))
        {
            await TestAccounts.OpenAsync(before, "stored-qty", 100_000m);
            foreach (var (id, start) in new[] { ("running", true), ("stopped", false) })
            {
                var created = await before.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("stored-qty", id)).CreateAsync(new CreateStrategy
                {
                    Kind = StrategyKinds.SmaCrossover, Symbols = [WholeShares], Start = start,
                    Parameters = new Dictionary<string, string> { ["quantity"] = "1.5", ["fastPeriod"] = "2", ["slowPeriod"] = "5" },
                });
                Assert.True(created.Succeeded, created.Message);
            }
        }

        var logs = new CapturedLogs();
        await using var after = await StartAsync(path, new Instrument { Symbol = WholeShares }, logs);
        const string expected = "Invalid parameters for strategy 'sma-crossover': quantity: 1.5 cannot be ordered in SPWHOLE, "
            + "the account refuses it as FRACTIONAL_NOT_ALLOWED (SPWHOLE does not allow fractional quantities.)";

        var resumed = (await after.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("stored-qty", "running")).GetStatusAsync())!;
        var started = await after.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("stored-qty", "stopped")).StartAsync();

        Assert.Equal((false, expected), (resumed.Running, resumed.LastError));
        Assert.Equal((false, expected), (started.Status!.Running, started.Status.LastError));
        Assert.Equal(["5421 Warning", "5421 Warning"], Lines(logs, "stored-qty").Select(e => $"{e.EventId.Id} {e.Level}"));
    }

    /// <summary>
    /// The kinds read a value without the white space around it; stored and shown as given, the status showed " 5 " for the
    /// quantity the strategy ordered as 5.
    /// </summary>
    [Fact]
    public async Task AParameterValue_IsStoredAndShownTrimmed_AtCreateAndAtAChange()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await TestAccounts.OpenAsync(cluster, "stored-trim", 100_000m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("stored-trim", "s"));

        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["SPY"], Start = false,
            Parameters = new Dictionary<string, string> { ["quantity"] = " 5 ", ["fastPeriod"] = "2\u00A0", ["slowPeriod"] = "5" },
        });
        var changed = await strategy.UpdateParametersAsync(new Dictionary<string, string> { ["quantity"] = "7 ", ["fastPeriod"] = "2", ["slowPeriod"] = " 5" });

        Assert.Equal([("fastPeriod", "2"), ("quantity", "5"), ("slowPeriod", "5")], created.Status!.Parameters.Select(p => (p.Key, p.Value)).Order());
        Assert.Equal([("fastPeriod", "2"), ("quantity", "7"), ("slowPeriod", "5")], changed.Status!.Parameters.Select(p => (p.Key, p.Value)).Order());
    }

    /// <summary>
    /// A stored parameter the kind refuses now (a decimal "1,5" since decimals are read exactly; here a kind whose rule
    /// changed): the start logged "started" (5402) after the strategy had stopped with the reason in its lastError.
    /// </summary>
    [Fact]
    public async Task AStoredParameterTheKindRefusesNow_DoesNotStart_AndTheLogSaysSoInsteadOfStarted()
    {
        var path = _dir.File("rule.db");
        await using (var before = await StartAsync(path, null, kind: Picky.Definition(refusesHigh: false)))
        {
            await TestAccounts.OpenAsync(before, "stored-rule", 100_000m);
            var created = await before.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("stored-rule", "picky")).CreateAsync(new CreateStrategy
            {
                Kind = Picky.KindName, Symbols = ["SPRULE"], Parameters = new Dictionary<string, string> { ["level"] = "high" },
            });
            Assert.True(created.Succeeded, created.Message);
        }

        var logs = new CapturedLogs();
        await using var after = await StartAsync(path, null, logs, Picky.Definition(refusesHigh: true));

        var started = await after.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("stored-rule", "picky")).StartAsync();

        Assert.False(started.Status!.Running);
        Assert.Contains("level: \"high\" is no longer taken", started.Status.LastError, StringComparison.Ordinal);
        var line = Assert.Single(Lines(logs, "stored-rule"));
        Assert.Equal((5421, LogLevel.Warning), (line.EventId.Id, line.Level));
        Assert.Contains($"did not start: {started.Status.LastError}", line.Text, StringComparison.Ordinal);
    }

    /// <summary>
    /// A built-in kind's stored snapshot that its Restore refuses (here a window of three closes for a period of two, as a
    /// corrupt record or an older build's shape leaves it) threw out of every activation, and with it the strategy's status,
    /// stop and delete. It stops the strategy with the reason, as a registered kind's snapshot that no longer reads does.
    /// </summary>
    [Fact]
    public async Task AStoredBuiltInSnapshotThatDoesNotRestore_StopsTheStrategyWithTheReason_AndStatusStopAndDeleteAnswer()
    {
        var key = StrategyKey.Create("stored-snap", "sma");
        await using var cluster = await StartAsync(_dir.File("snapshot.db"), null);
        await TestAccounts.OpenAsync(cluster, "stored-snap", 100_000m);
        var created = await cluster.Grains.GetGrain<IStrategyGrain>(key).CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["SPSNAP"], Start = true,
            Parameters = new Dictionary<string, string> { ["quantity"] = "1", ["fastPeriod"] = "2", ["slowPeriod"] = "5" },
        });
        Assert.True(created.Status!.Running, created.Status.LastError);

        await RewriteStoredStrategyAsync(cluster, key, stored =>
        {
            Assert.True(stored.Running);
            stored.Snapshot = new SmaCrossoverState
            {
                Fast = new SimpleMovingAverageState { Period = 2, Samples = 3, Window = [101m, 102m, 103m] },
                Slow = new SimpleMovingAverageState { Period = 5, Samples = 0, Window = [] },
            };
        });

        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(key);
        var status = (await strategy.GetStatusAsync())!;
        Assert.Equal((false, "The stored snapshot of strategy kind \"sma-crossover\" no longer reads: Snapshot window holds 3 values for period 2 and 3 samples. (Parameter 'state')"),
            (status.Running, status.LastError));

        // The snapshot is kept, so a start stops again; the stop and the delete answer.
        Assert.False((await strategy.StartAsync()).Status!.Running);
        Assert.True((await strategy.StopAsync()).Succeeded);
        Assert.True((await strategy.DeleteAsync()).Succeeded);
        Assert.Null(await strategy.GetStatusAsync());
    }

    /// <summary>
    /// A built-in kind's stored snapshot whose JSON no longer reads as its kind's snapshot (a member a later build retyped, a
    /// corrupt value; here a period stored as a string) failed the read of the whole record, before the guarded restore: every
    /// activation failed, and the strategy's status, stop and delete with it. It stops the strategy with the reason, and the
    /// snapshot is kept as stored, so a start stops again until a parameter change or a delete replaces it.
    /// </summary>
    [Fact]
    public async Task AStoredBuiltInSnapshotWhoseJsonDoesNotRead_StopsTheStrategyWithTheReason_AndKeepsTheJson()
    {
        var key = StrategyKey.Create("stored-json", "sma");
        var logs = new CapturedLogs();
        await using var cluster = await StartAsync(_dir.File("snapshot-json.db"), null, logs);
        await TestAccounts.OpenAsync(cluster, "stored-json", 100_000m);
        var created = await cluster.Grains.GetGrain<IStrategyGrain>(key).CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["SPJSON"], Start = true,
            Parameters = new Dictionary<string, string> { ["quantity"] = "1", ["fastPeriod"] = "2", ["slowPeriod"] = "5" },
        });
        Assert.True(created.Status!.Running, created.Status.LastError);

        await RewriteStoredStrategyJsonAsync(cluster, key, record =>
        {
            Assert.True((bool)record["Running"]!);
            record["Snapshot"] = JsonNode.Parse("""
                {"kind":"sma-crossover","Fast":{"Period":"two","Samples":0,"Window":[]},"Slow":{"Period":5,"Samples":0,"Window":[]}}
                """);
        });

        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(key);
        var status = (await strategy.GetStatusAsync())!;
        Assert.False(status.Running);
        Assert.StartsWith("The stored snapshot of strategy kind \"sma-crossover\" no longer reads: The JSON value could not be converted to OrleansTrader.Domain.Indicators.SimpleMovingAverageState. Path: $.Fast.Period | ",
            status.LastError, StringComparison.Ordinal);
        Assert.Single(logs.Entries, e => e.EventId.Id == 5406 && e.Text.Contains("AccountId=stored-json;", StringComparison.Ordinal));

        // Kept as stored, so a start stops again; the stop and the delete answer.
        Assert.Equal((false, status.LastError), ((await strategy.StartAsync()).Status!.Running, (await strategy.GetStatusAsync())!.LastError));
        Assert.True((await strategy.StopAsync()).Succeeded);
        var kept = Assert.IsType<UnreadableSnapshot>((await ReadStoredStrategyAsync(cluster, key)).Snapshot);
        Assert.Contains("\"Period\":\"two\"", kept.Json, StringComparison.Ordinal);
        Assert.True((await strategy.DeleteAsync()).Succeeded);
        Assert.Null(await strategy.GetStatusAsync());
    }

    /// <summary>
    /// A dispatch that only asked for a cancel (an RSI exit withdrawing its stop, the venue slow to confirm) was saved by the
    /// five-second timer: a crash before it left the stored snapshot without the exit waiting for the cancel, and the
    /// restarted strategy took the confirmed cancel for a stop withdrawn for nothing. The clock is held, so the timer never
    /// saves; the silo is killed, not stopped, so no deactivation saves either.
    /// </summary>
    [Fact]
    public async Task ADispatchThatOnlyAskedForACancel_IsStoredAtOnce_SoACrashKeepsTheExitWaitingForIt()
    {
        const string symbol = "SPCAN";
        var key = StrategyKey.Create("stored-cancel", "rsi");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        var cancels = new StrategyProtectiveStopTests.RefusingCancels();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            SqlitePath = _dir.File("cancel.db"),
            ConfigureSilo = silo => silo.Services.AddSingleton<IBrokerClientFactory>(sp => new WrappingBrokerClientFactory(
                ActivatorUtilities.CreateInstance<BrokerClientFactory>(sp), client => new StrategyProtectiveStopTests.RefusingCancels.Client(cancels, client))),
        });
        var account = await TestAccounts.OpenAsync(cluster, "stored-cancel", 100_000m);
        await Market.QuoteAsync(cluster, symbol, 40.99m, 41m);
        var created = await cluster.Grains.GetGrain<IStrategyGrain>(key).CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.RsiMeanReversion, Symbols = [symbol], Start = true,
            Parameters = new Dictionary<string, string> { ["quantity"] = "10", ["period"] = "2", ["trailingStopPercent"] = "20" },
        });
        Assert.True(created.Status!.Running, created.Status.LastError);

        // Oversold: the strategy buys 10 and puts its stop on them (each sent order is saved at once).
        var start = time.GetUtcNow();
        foreach (var (minute, close) in new[] { (0, 40m), (1, 39.6m), (2, 39.2m) })
        {
            await IngestBarAsync(cluster, symbol, start.AddMinutes(minute), close);
        }

        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null),
            o => o.Count == 1 && o[0].Type == OrderType.TrailingStop, "the protective stop");

        // RSI 92 asks for the exit; the stop's cancel goes to the account (the venue does not take it), and the silo dies.
        cancels.Refuse = true;
        await IngestBarAsync(cluster, symbol, start.AddMinutes(3), 44m);
        await Eventually.WaitAsync(() => Task.FromResult(cancels.Refused), n => n == 1, "the stop's cancel");
        await Eventually.WaitAsync(() => cluster.Grains.GetGrain<IStrategyGrain>(key).GetStatusAsync(), s => s!.BarsSeen == 4, "the exit's bar");
        var serializer = cluster.Cluster.ServiceProvider.GetRequiredService<IGrainStateSerializer>();
        await cluster.Cluster.KillSiloAsync(TestContext.Current.CancellationToken);

        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = cluster.Options.SqlitePath });
        var stored = new GrainState<StrategyGrainState>(new StrategyGrainState());
        await new SqliteGrainStorage(database, serializer).ReadStateAsync("strategy", GrainId.Create(typeof(StrategyGrain).FullName!, key), stored,
            TestContext.Current.CancellationToken);
        var snapshot = Assert.IsType<RsiMeanReversionState>(stored.State.Snapshot);
        Assert.Equal("RSI(2) 92.31 reached exit 70", snapshot.ProtectiveStopCloseReason);
    }

    private static async Task IngestBarAsync(TradingCluster cluster, string symbol, DateTimeOffset start, decimal close)
    {
        var bar = new Bar(symbol, start, TimeSpan.FromMinutes(1), close, close, close, close, 1_000m);
        Assert.Equal(1, (await cluster.Symbol(symbol).IngestAsync(new TickBatch { Bars = [bar] })).Accepted);
    }

    /// <summary>With the silos stopped (no activation holds the record), rewrites a strategy's stored state on the cluster's file and deploys again.</summary>
    private static async Task RewriteStoredStrategyAsync(TradingCluster cluster, string key, Action<StrategyGrainState> rewrite)
    {
        var serializer = cluster.Cluster.ServiceProvider.GetRequiredService<IGrainStateSerializer>();
        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        using (var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = cluster.Options.SqlitePath }))
        {
            var storage = new SqliteGrainStorage(database, serializer);
            var id = GrainId.Create(typeof(StrategyGrain).FullName!, key);
            var stored = new GrainState<StrategyGrainState>(new StrategyGrainState());
            await storage.ReadStateAsync("strategy", id, stored, TestContext.Current.CancellationToken);
            rewrite(stored.State);
            await storage.WriteStateAsync("strategy", id, stored, TestContext.Current.CancellationToken);
        }

        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>As <see cref="RewriteStoredStrategyAsync"/>, on the record's JSON: a shape no build writes.</summary>
    private static async Task RewriteStoredStrategyJsonAsync(TradingCluster cluster, string key, Action<JsonObject> rewrite)
    {
        var serializer = cluster.Cluster.ServiceProvider.GetRequiredService<IGrainStateSerializer>();
        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        using (var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = cluster.Options.SqlitePath }))
        {
            var id = GrainId.Create(typeof(StrategyGrain).FullName!, key);
            var stored = new GrainState<StrategyGrainState>(new StrategyGrainState());
            await new SqliteGrainStorage(database, serializer).ReadStateAsync("strategy", id, stored, TestContext.Current.CancellationToken);
            var record = JsonNode.Parse(serializer.Serialize(stored.State))!.AsObject();
            rewrite(record);
            await new SqliteGrainStorage(database, new WritingAsGiven(serializer, JsonSerializer.SerializeToUtf8Bytes(record)))
                .WriteStateAsync("strategy", id, stored, TestContext.Current.CancellationToken);
        }

        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A strategy's stored state read from the cluster's file while the silo runs (a read holds no lock).</summary>
    private static async Task<StrategyGrainState> ReadStoredStrategyAsync(TradingCluster cluster, string key)
    {
        var serializer = cluster.Cluster.ServiceProvider.GetRequiredService<IGrainStateSerializer>();
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = cluster.Options.SqlitePath });
        var stored = new GrainState<StrategyGrainState>(new StrategyGrainState());
        await new SqliteGrainStorage(database, serializer).ReadStateAsync("strategy", GrainId.Create(typeof(StrategyGrain).FullName!, key), stored,
            TestContext.Current.CancellationToken);
        return stored.State;
    }

    /// <summary>The strategy lines of an account that say whether it started: started (5402) and did not start (5421).</summary>
    private static List<(string Category, LogLevel Level, EventId EventId, string Text)> Lines(CapturedLogs logs, string accountId) =>
        [.. logs.Entries.Where(e => e.EventId.Id is 5402 or 5421 && e.Text.Contains($"AccountId={accountId};", StringComparison.Ordinal))];

    private static Task<TradingCluster> StartAsync(string path, Instrument? instrument, CapturedLogs? logs = null, StrategyDefinition? kind = null) =>
        TradingCluster.StartAsync(new TradingClusterOptions
        {
            SqlitePath = path,
            Instruments = instrument is null ? [] : [instrument],
            ConfigureSilo = silo =>
            {
                if (kind is not null)
                {
                    silo.Services.AddStrategy(kind);
                }

                if (logs is not null)
                {
                    silo.Services.AddSingleton<ILoggerProvider>(logs);
                }
            },
        });

    /// <summary>Writes the bytes it was given for any state, and reads as the silo does.</summary>
    private sealed class WritingAsGiven(IGrainStateSerializer inner, byte[] payload) : IGrainStateSerializer
    {
        public byte[] Serialize<T>(T value) => payload;

        public T Deserialize<T>(ReadOnlySpan<byte> data) => inner.Deserialize<T>(data);
    }

    /// <summary>A kind whose rule for its one parameter a later build made stricter: "high" was taken, then refused.</summary>
    private sealed class Picky : StrategyBase
    {
        public const string KindName = "stored-picky";

        public static StrategyDefinition Definition(bool refusesHigh) => new()
        {
            Kind = KindName,
            ParameterNames = ["level"],
            StateType = typeof(PickyState),
            Create = setup =>
            {
                if (refusesHigh && setup.RequiredString("level") == "high")
                {
                    setup.Invalid("level", "\"high\" is no longer taken");
                }

                return new Picky();
            },
        };

        public override string Kind => KindName;

        public override StrategyState GetState() => new PickyState();

        public override void Restore(StrategyState state)
        {
        }
    }

    private sealed record PickyState : StrategyState;
}
