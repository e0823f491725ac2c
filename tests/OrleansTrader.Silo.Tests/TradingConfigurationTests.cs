using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Symbols;
using OrleansTrader.MarketData.Synthetic;

namespace OrleansTrader.Silo.Tests;

public sealed class TradingConfigurationTests
{
    [Theory]
    [InlineData("Storage:Provider", "oracle", "Storage:Provider must be one of sqlite, postgres, memory")]
    [InlineData("Feed:Kind", "replay", "Feed:Path must name an existing folder")]
    [InlineData("Calendar:Kind", "lse", "Calendar:Kind must be one of always-open, nyse")]
    [InlineData("Feed:Symbols:0", "spy", "Feed:Symbols must list symbols such as SPY")]
    [InlineData("Trading:Accounts:SignalInterval", "00:00:00", "Trading:Accounts:SignalInterval must be positive")]
    [InlineData("Trading:Symbols:MinuteBarsKept", "0", "Trading:Symbols:MinuteBarsKept must be positive")]
    [InlineData("Streams:Retention", "-01:00:00", "Streams:Retention must be positive")]
    [InlineData("Streams:TrimInterval", "00:00:00", "Streams:TrimInterval must be positive")]
    [InlineData("PaperExchange:MaxRetainedOrders", "5", "PaperExchange:MaxRetainedOrders must be at least 10")]
    [InlineData("Backtests:DataPath", "/no/such/market-data", "Backtests:DataPath is '/no/such/market-data' (/no/such/market-data), which is not a folder")]
    [InlineData("PaperExchange:Calendar", "Nyse", "PaperExchange:Calendar is Nyse but the accounts follow Calendar:Kind (AlwaysOpen): set Calendar:Kind instead")]
    [InlineData("Gateway:RateLimits:OrderPermitsPerWindow", "0", "Gateway:RateLimits:OrderPermitsPerWindow must be positive (got 0)")]
    [InlineData("Gateway:Events:PageSize", "0", "Gateway:Events:PageSize must be between 1 and 1000 (got 0)")]
    [InlineData("Gateway:Events:PollInterval", "50.00:00:00", "Gateway:Events:PollInterval must be positive and at most 49.17:02:47.2940000 (got 50.00:00:00)")]
    public void Startup_FailsWithClearMessage_WhenTradingConfigurationIsInvalid(string key, string value, string expected)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting(key, value));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
        Assert.Contains(expected, validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_WithSeveralInvalidSettings_PrintsOneSentenceForEach()
    {
        // The options' message joined its failures with "; " after their full stops: "...(got -01:00:00).; Streams:...".
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Streams:Retention", "-01:00:00")
            .UseSetting("Streams:TrimInterval", "00:00:00"));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var line = StartFailure.Reason(error);
        Assert.Contains("Streams:Retention must be positive (got -01:00:00). Streams:TrimInterval must be positive", line, StringComparison.Ordinal);
        Assert.DoesNotContain(".;", line, StringComparison.Ordinal);
        Assert.EndsWith(".", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_FailsNamingFeedSymbols_WhenReplayHasNoSymbols()
    {
        // The replay's own check caught it, naming MarketData:Csv:Symbols, a key the silo's settings never mention.
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Feed:Kind", "replay")
            .UseSetting("Feed:Path", Path.GetTempPath()));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
        Assert.Contains("Feed:Symbols must list at least one symbol to replay when Feed:Kind is replay", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_NamesTheFolderItLookedIn_WhenARelativeFeedPathIsMissing()
    {
        // "../shared/data/market" from the repository root is read from silo/OrleansTrader.Silo under `dotnet run`; the
        // message echoed the relative path only, so it did not say where the silo had looked.
        const string relative = "no-such-folder/market";
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Feed:Kind", "replay")
            .UseSetting("Feed:Symbols:0", "SPY")
            .UseSetting("Feed:Path", relative));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
        Assert.Contains($"(got \"{relative}\" ({Path.GetFullPath(relative)});", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_NamesStorageConnectionString_WhenPostgreSqlCannotBeOpened()
    {
        // Nothing listens on port 1, so no PostgreSQL server is needed. The start's line was only Npgsql's
        // "Failed to connect to 127.0.0.1:1" (or 'database "x" does not exist'), naming no setting.
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "postgres")
            .UseSetting("Storage:ConnectionString", "Host=127.0.0.1;Port=1;Username=postgres;Database=walk;Timeout=5")
            .UseSetting("Storage:StartupTimeout", "00:00:00")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Kind", "none"));

        var ct = TestContext.Current.CancellationToken;
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => Task.Run(factory.CreateClient, ct).WaitAsync(TimeSpan.FromSeconds(60), ct));

        Assert.IsNotType<TimeoutException>(refused);
        var line = StartFailure.Reason(refused);
        Assert.StartsWith("Storage:ConnectionString: the PostgreSQL database could not be opened: ", line, StringComparison.Ordinal);
        Assert.Contains("Failed to connect", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADamagedDataFile_StopsTheStart_WithALineThatSaysWhatToDoAfterARestore()
    {
        // SQLite's "database disk image is malformed" named neither the file nor a cause; the usual cause is a restore that
        // left the newer data's -wal files beside older .db files.
        var directory = Directory.CreateTempSubdirectory("silo-damaged-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, SqliteDataFiles.StateFileName), new string('x', 8192), TestContext.Current.CancellationToken);
            using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
                .UseSetting("Storage:DataDirectory", directory.FullName)
                .UseSetting("Demo:Enabled", "false")
                .UseSetting("Feed:Kind", "none"));

            var ct = TestContext.Current.CancellationToken;
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => Task.Run(factory.CreateClient, ct).WaitAsync(TimeSpan.FromSeconds(60), ct));

            var line = StartFailure.Reason(refused);
            Assert.StartsWith("SQLite Error 26: 'file is not a database'. A SQLite file in the data directory (Storage:DataDirectory) is damaged.", line, StringComparison.Ordinal);
            Assert.Contains("delete the -wal and -shm files", line, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheSiloProcess_WithAnInvalidSetting_ExitsWithCode1_AndALineThatSaysWhy()
    {
        // The process a user runs, not the in-process test host: the failure was an unhandled exception (exit code 134).
        var directory = Directory.CreateTempSubdirectory("silo-invalid-");
        try
        {
            var (exitCode, stderr, _) = await RunFailingSiloAsync(directory.FullName, new() { ["Storage__Provider"] = "oracle" });

            Assert.True(exitCode == 1, $"exit code {exitCode}: {stderr}");
            Assert.Contains("The silo did not start: Storage:Provider must be one of sqlite, postgres, memory", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheSiloProcess_OnADataDirectoryAnotherSiloHolds_SaysSo_NamingTheSetting()
    {
        // The line printed the lock's IOException ("The process cannot access the file ..."), not the message that says
        // another silo runs there and names Storage:DataDirectory.
        var directory = Directory.CreateTempSubdirectory("silo-locked-");
        try
        {
            var lockFile = Path.Combine(directory.FullName, "data", DataDirectoryLock.FileName);
            Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
            string stderr;
            using (new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            {
                (_, stderr, _) = await RunFailingSiloAsync(directory.FullName, new() { ["Demo__Enabled"] = "false", ["Feed__Kind"] = "none" });
            }

            Assert.Contains("The silo did not start: Another silo is running on the data directory", stderr, StringComparison.Ordinal);
            Assert.Contains("Storage:DataDirectory", stderr[stderr.IndexOf("The silo did not start", StringComparison.Ordinal)..], StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheSiloProcess_WithAnUnreachableDatabase_SaysWhichAddressItCouldNotReach()
    {
        // The line printed the socket's "Connection refused", without the host and port it had tried, and named no setting.
        var directory = Directory.CreateTempSubdirectory("silo-nodb-");
        try
        {
            var (exitCode, stderr, _) = await RunFailingSiloAsync(directory.FullName, new()
            {
                ["Storage__Provider"] = "postgres",
                ["Storage__ConnectionString"] = "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d;Timeout=5",
                ["Storage__StartupTimeout"] = "00:00:00",
                ["Demo__Enabled"] = "false",
                ["Feed__Kind"] = "none",
            });

            Assert.True(exitCode == 1, $"exit code {exitCode}: {stderr}");
            Assert.Contains("The silo did not start: Storage:ConnectionString: the PostgreSQL database could not be opened: Failed to connect to 127.0.0.1:1", stderr, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheSiloProcess_WithAnUnreachableDatabase_ShowsItsPassword_InNoLineItWrites_AtAnyLevel()
    {
        const string password = "unreachable-s3cret-tail";
        var directory = Directory.CreateTempSubdirectory("silo-nodb-secret-");
        try
        {
            var (exitCode, stderr, stdout) = await RunFailingSiloAsync(directory.FullName, new()
            {
                ["Storage__Provider"] = "postgres",
                ["Storage__ConnectionString"] = $"Host=127.0.0.1;Port=1;Username=u;Password={password};Database=d;Timeout=5",
                ["Storage__StartupTimeout"] = "00:00:03",
                ["Serilog__MinimumLevel__Default"] = "Verbose",
                ["Serilog__MinimumLevel__Override__Microsoft"] = "Verbose",
                ["Serilog__MinimumLevel__Override__System"] = "Verbose",
                ["Serilog__MinimumLevel__Override__Npgsql"] = "Verbose",
                ["Demo__Enabled"] = "false",
                ["Feed__Kind"] = "none",
            });

            // The failure was reached and written (the log's retry line, the failed start's line), without the password.
            Assert.True(exitCode == 1, $"exit code {exitCode}: {stderr}");
            Assert.Contains("The PostgreSQL database cannot be reached yet (attempt 1): ", stdout, StringComparison.Ordinal);
            Assert.Contains("The silo did not start: Storage:ConnectionString: ", stderr, StringComparison.Ordinal);
            var leaked = (stdout + "\n" + stderr).Split('\n').FirstOrDefault(l => l.Contains(password, StringComparison.Ordinal));
            Assert.True(leaked is null, $"a line holds the database password: {leaked}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheSiloProcess_WithADatabaseNotUpYet_TriesAgainUntilStorageStartupTimeout_ThenExitsWithCode1()
    {
        // A container platform often starts the database after the app: the silo exited at its first failed connection,
        // "could not be opened: Failed to connect to 127.0.0.1:1", without trying again.
        var directory = Directory.CreateTempSubdirectory("silo-db-later-");
        try
        {
            var (exitCode, stderr, stdout) = await RunFailingSiloAsync(directory.FullName, new()
            {
                ["Storage__Provider"] = "postgres",
                ["Storage__ConnectionString"] = "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d;Timeout=5",
                // Long enough for three attempts 2 s apart on a loaded machine, where the first (the silo's start and Npgsql's
                // first open) took 3 s of 5 and only two fitted.
                ["Storage__StartupTimeout"] = "00:00:10",
                ["Demo__Enabled"] = "false",
                ["Feed__Kind"] = "none",
            });

            Assert.True(exitCode == 1, $"exit code {exitCode}: {stderr}");
            Assert.Contains("The silo did not start: Storage:ConnectionString: the PostgreSQL database could not be opened: Failed to connect to 127.0.0.1:1", stderr, StringComparison.Ordinal);
            Assert.Contains("over Storage:StartupTimeout, 00:00:10)", stderr, StringComparison.Ordinal);

            // Each failed attempt is logged once, with the reason and when the next one comes.
            var retries = stdout.Split('\n').Where(l => l.Contains("The PostgreSQL database cannot be reached yet", StringComparison.Ordinal)).ToList();
            Assert.True(retries.Count >= 2, stdout);
            Assert.Contains("(attempt 1)", retries[0], StringComparison.Ordinal);
            Assert.Contains("Failed to connect to 127.0.0.1:1", retries[0], StringComparison.Ordinal);
            Assert.Contains("next try in 2 s", retries[0], StringComparison.Ordinal);
            Assert.Contains("(attempt 2)", retries[1], StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void StorageStartupTimeout_Negative_IsRefused_NamingTheSetting()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Storage:StartupTimeout", "-00:00:01"));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Storage:StartupTimeout must not be negative", Unwrap(error).Message, StringComparison.Ordinal);
    }

    /// <summary>Runs the silo's process in <paramref name="workingDirectory"/> until it exits; returns its exit code and standard error.</summary>
    private static async Task<(int ExitCode, string Stderr, string Stdout)> RunFailingSiloAsync(string workingDirectory, Dictionary<string, string> environment)
    {
        var ct = TestContext.Current.CancellationToken;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OrleansTrader.Silo.dll"));
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(90), ct);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await errors, await output);
    }

    [Theory]
    [InlineData("Trading:Accounts:SignalInterval", "00:00:00", "Trading:Accounts:SignalInterval must be positive")]
    [InlineData("Trading:Accounts:InFlightGrace", "-00:00:01", "Trading:Accounts:InFlightGrace must not be negative")]
    [InlineData("PaperExchange:MaxRetainedOrders", "5", "PaperExchange:MaxRetainedOrders must be at least 10")]
    [InlineData("PaperExchange:Calendar", "Nyse", "PaperExchange:Calendar is Nyse but the accounts follow Calendar:Kind (AlwaysOpen): set Calendar:Kind instead")]
    [InlineData("PaperExchange:Instruments:0:Symbol", "SPY", "PaperExchange:Instruments is not read by the accounts")]
    [InlineData("PaperExchange:AcceptUnlistedSymbols", "false", "PaperExchange:AcceptUnlistedSymbols is False but the accounts accept unlisted symbols")]
    [InlineData("Trading:Accounts:SignalInterval", "50.00:00:00", "Trading:Accounts:SignalInterval must be at most 49.17:02:47.2940000")]
    [InlineData("Trading:Accounts:ReconcileInterval", "50.00:00:00", "Trading:Accounts:ReconcileInterval must be at most 49.17:02:47.2940000")]
    [InlineData("Trading:Symbols:StaleAfter", "50.00:00:00", "Trading:Symbols:StaleAfter must be at most 49.17:02:47.2940000")]
    [InlineData("Trading:Symbols:PersistInterval", "50.00:00:00", "Trading:Symbols:PersistInterval must be at most 49.17:02:47.2940000")]
    [InlineData("Trading:Webhooks:Timeout", "50.00:00:00", "Trading:Webhooks:Timeout must be at most 49.17:02:47.2940000")]
    [InlineData("Trading:Webhooks:FirstRetryDelay", "50.00:00:00", "Trading:Webhooks:FirstRetryDelay must be at most 49.17:02:47.2940000")]
    [InlineData("Trading:Webhooks:MaxRetryDelay", "50.00:00:00", "Trading:Webhooks:MaxRetryDelay must be at most 49.17:02:47.2940000")]
    [InlineData("Trading:Webhooks:MaxRetryAfter", "50.00:00:00", "Trading:Webhooks:MaxRetryAfter must be at most 49.17:02:47.2940000")]
    [InlineData("Trading:Symbols:BarCloseDelay", "3650000.00:00:00", "Trading:Symbols:BarCloseDelay must be between 0 and 49.17:02:47.2940000 (got 3650000.00:00:00)")]
    [InlineData("PaperExchange:Retention", "3650000.00:00:00", "PaperExchange:Retention must be between one minute and 3650 days (got 3650000.00:00:00)")]
    [InlineData("Streams:TrimInterval", "50.00:00:00", "Streams:TrimInterval must be positive and at most 49.17:02:47.2940000 (got 50.00:00:00)")]
    [InlineData("Storage:Kind", "postgres", "Storage:Kind is not a setting (Storage has Provider, ConnectionString, DataDirectory, StartupTimeout, CommandTimeout, BackupDirectory, BackupsKept)")]
    [InlineData("Storage:StartupTimeout", "10675199.00:00:00", "Storage:StartupTimeout must not be negative nor longer than 49.17:02:47.2940000 (got 10675199.00:00:00).")]
    [InlineData("Storage:BackupsKept", "0", "Storage:BackupsKept must be at least 1 (got 0); leave it unset to keep every backup.")]
    [InlineData("Storage:BackupDirectory", " ", "Storage:BackupDirectory must name a folder (got \" \"); leave it unset for \"backups\" in Storage:DataDirectory.")]
    [InlineData("Storage:BackupDirectory", "./data/", "Storage:BackupDirectory must not be the data directory itself (")]
    [InlineData("Feed:Symbol", "AAPL", "Feed:Symbol is not a setting (Feed has Kind, Path, Speed, Symbols, StaleAfterSeconds)")]
    [InlineData("Demo:Enable", "false", "Demo:Enable is not a setting (Demo has Enabled, AccountId")]
    [InlineData("Demo:Cash", "1000000000000.01", "Demo:Cash must be positive and at most 1,000,000,000,000 (got 1000000000000.01)")]
    [InlineData("Trading:Acounts:SignalInterval", "00:00:05", "Trading:Acounts is not a setting (Trading has Accounts, Symbols, Webhooks, ApiKeys)")]
    [InlineData("Trading:Accounts:SignalIntervall", "00:00:05", "Trading:Accounts:SignalIntervall is not a setting (Trading:Accounts has ")]
    [InlineData("PaperExchange:FillModel:Slippage", "5", "PaperExchange:FillModel:Slippage is not a setting (PaperExchange:FillModel has ")]
    [InlineData("MarketData:Alpaca:Fed", "sip", "MarketData:Alpaca:Fed is not a setting (MarketData:Alpaca has ")]
    [InlineData("Alpaca:Key", "k", "Alpaca:Key is not a setting (Alpaca has ")]
    [InlineData("Backtests:Path", "/data", "Backtests:Path is not a setting (Backtests has DataPath)")]
    public void TheGrainsAndVenueTuning_IsCheckedWhenTheSiloIsConfigured_BeforeAHostExists(string key, string value, string expected)
    {
        // Checked at the host's start only, the failure raced the start's disposal of the host in an in-process test host.
        // A span beyond a timer's longest wait (about 49.7 days) was accepted: every account or symbol grain then failed to
        // activate, every webhook request or retry failed, and Streams:TrimInterval stopped the start with a message naming no setting.
        // A misspelt key in the silo's own sections (Storage:Kind for Storage:Provider, Feed:Symbol for Feed:Symbols) was
        // ignored without a word: the silo started on the defaults.
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddOrleansTrader());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAlpacaFeed_WithNoSymbolToSubscribeTo_StopsTheStart()
    {
        // Nothing subscribes the stream to a symbol later: it connected, subscribed to nothing and delivered no data (the
        // Azure template's FEED_KIND=alpaca sets no Feed:Symbols), and readiness failed once the feed's hours began.
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "memory",
            ["Feed:Kind"] = "alpaca",
            ["MarketData:Alpaca:Feed"] = "sip",
        });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddOrleansTrader());

        Assert.Contains("Feed:Symbols must list at least one symbol when Feed:Kind is alpaca (Feed__Symbols__0=SPY, ...)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Feed:Symbols:0", "SPY", "SPY")]
    [InlineData("MarketData:Alpaca:Symbols:0", "SPY", "SPY")]
    [InlineData("MarketData:Alpaca:Feed", "test", "FAKEPACA")]
    public async Task AnAlpacaFeed_WithASymbolToSubscribeTo_SubscribesToIt(string key, string value, string subscribed)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "memory",
            ["Feed:Kind"] = "alpaca",
            ["MarketData:Alpaca:KeyId"] = "PKFEEDSYMBOLSTEST1",
            ["MarketData:Alpaca:SecretKey"] = "feed-symbols-test-secret-1",

            // Nothing listens there, and the host is not started: the stream never connects.
            ["MarketData:Alpaca:StreamBaseUrl"] = "ws://127.0.0.1:9/v2",
            [key] = value,
        });

        builder.AddOrleansTrader();
        await using var services = builder.Services.BuildServiceProvider();

        var stream = Assert.IsType<OrleansTrader.MarketData.Alpaca.AlpacaMarketDataStream>(services.GetRequiredService<OrleansTrader.MarketData.IMarketDataFeed>());
        Assert.Equal([subscribed], stream.Symbols);
    }

    [Fact]
    public void BackupSettings_OnAProviderWithoutSqliteFiles_StopTheStart()
    {
        // POST /api/backups writes SQLite's files only: on PostgreSQL a backup folder and a number to keep would do nothing.
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "memory",
            ["Storage:BackupsKept"] = "7",
        });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddOrleansTrader());

        Assert.Contains(
            "Storage:BackupDirectory and Storage:BackupsKept apply to the SQLite provider only (Storage:Provider is \"memory\"; on PostgreSQL back up with pg_dump).",
            error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sqlite")]
    [InlineData("memory")]
    public void AConnectionString_WithAProviderOtherThanPostgres_StopsTheStart(string? provider)
    {
        // Storage:Provider left out (its default is sqlite) ran the silo on SQLite files beside it, a container's disk lost
        // with it, while the operator believed the accounts were stored in the PostgreSQL database the string names.
        var settings = new Dictionary<string, string?> { ["Storage:ConnectionString"] = "Host=db.example;Database=orleanstrader;Username=ot;Password=s3cret-tail" };
        if (provider is not null)
        {
            settings["Storage:Provider"] = provider;
        }

        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddOrleansTrader());

        Assert.Contains(
            $"Storage:ConnectionString is set but Storage:Provider is \"{provider ?? "sqlite"}\", which does not use it: set Storage:Provider to postgres to store in that PostgreSQL database, or remove Storage:ConnectionString.",
            error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-tail", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Hots=127.0.0.1;Username=ot;Password=s3cret-tail", "Storage:ConnectionString is invalid: Couldn't set hots")]
    [InlineData("Host=127.0.0.1;Port=five;Password=s3cret-tail", "Storage:ConnectionString is invalid: Couldn't set port")]
    [InlineData("Username=ot;Database=orleanstrader;Password=s3cret-tail", "Storage:ConnectionString has no Host.")]
    public void AConnectionStringNpgsqlCannotUse_StopsTheStart_NamingTheSetting(string connectionString, string expected)
    {
        // The start's line named "PostgreSQL ConnectionString", the provider's own option, not the key to correct.
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = connectionString,
        });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddOrleansTrader());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-tail", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSilo_WithAConnectionStringButNoProvider_CreatesNoSqliteFiles()
    {
        var directory = Directory.CreateTempSubdirectory("silo-connection-string-no-provider-");
        try
        {
            var data = Path.Combine(directory.FullName, "data");
            using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
                .UseSetting("Storage:DataDirectory", data)
                .UseSetting("Storage:ConnectionString", "Host=db.example;Database=orleanstrader;Username=ot;Password=p"));

            var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

            Assert.StartsWith("Storage:ConnectionString is set but Storage:Provider is \"sqlite\"", StartFailure.Reason(error), StringComparison.Ordinal);
            Assert.False(Directory.Exists(data), "the silo created its SQLite data directory");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    // Binding ignored a key no setting has: a misspelt Gateway:RateLimit ran the gateway on the default limits without a word.
    [Theory]
    [InlineData("Gateway:RateLimit:OrdersPerWindow", "Gateway:RateLimit is not a setting (Gateway has ")]
    [InlineData("Gateway:Events:MaxStreams", "Gateway:Events:MaxStreams is not a setting (Gateway:Events has ")]
    [InlineData("Silo:Deployment", "Silo:Deployment is not a setting (Silo has DeploymentId)")]
    public void AMisspeltKeyInTheGatewaysOrTheSilosSection_StopsTheStart(string key, string expected)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = "5" });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddSiloDefaults());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    // A value given to a section itself binds nothing: Storage=postgres (for Storage__Provider=postgres) ran the silo on SQLite
    // files beside it, and Demo=false ran the demo, without a word.
    [Theory]
    [InlineData("Storage", "postgres", "Storage is a section, not a setting: give its settings (Storage:Provider, ")]
    [InlineData("Demo", "false", "Demo is a section, not a setting: give its settings (Demo:Enabled, ")]
    [InlineData("Feed", "alpaca", "Feed is a section, not a setting: give its settings (Feed:Kind, ")]
    [InlineData("Trading", "x", "Trading is a section, not a setting: give its settings (Trading:Accounts, ")]
    [InlineData("Gateway", "x", "Gateway is a section, not a setting: give its settings (Gateway:")]
    [InlineData("Silo", "rev-2", "Silo is a section, not a setting: give its settings (Silo:DeploymentId)")]
    public void AValueGivenToASectionItself_StopsTheStart(string section, string value, string expected)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [section] = value });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddSiloDefaults());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    // The binder reads a bare whole number as days: Storage__StartupTimeout=30, meant as seconds, waited 30 days for the
    // database, and Trading__Symbols__StaleAfter=5 let a symbol's quotes go five days without being stale.
    [Theory]
    [InlineData("Storage:StartupTimeout", "30", "Storage:StartupTimeout=30 reads as 30 days: write 00:00:30 for 30 seconds, or 30.00:00:00 if days are meant.")]
    [InlineData("Trading:Symbols:StaleAfter", " 90 ", "Trading:Symbols:StaleAfter=90 reads as 90 days: write 00:01:30 for 90 seconds, or 90.00:00:00 if days are meant.")]
    [InlineData("PaperExchange:Retention", "-2", "PaperExchange:Retention=-2 reads as -2 days: write -00:00:02 for -2 seconds, or -2.00:00:00 if days are meant.")]
    [InlineData("MarketData:Alpaca:ReconnectMaxDelay", "60", "MarketData:Alpaca:ReconnectMaxDelay=60 reads as 60 days: ")]
    public void ATimeSpanSetting_WrittenAsABareNumber_StopsTheStart_SayingItReadsAsDays(string key, string value, string expected)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddOrleansTrader());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    // Zero is zero in every unit, and a span written as one is what the binder reads.
    [Theory]
    [InlineData("Storage:StartupTimeout", "0")]
    [InlineData("Storage:StartupTimeout", "00:00:30")]
    [InlineData("PaperExchange:Retention", "30.00:00:00")]
    public void ATimeSpanSetting_WrittenAsZeroOrAsASpan_IsAccepted(string key, string value)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });

        builder.AddOrleansTrader();
    }

    [Fact]
    public void AllUnknownKeys_AreNamedInOneMessage()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Trading:Symbols:StaleAftr"] = "1", ["PaperExchange:AckLatncy"] = "1" });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddOrleansTrader());

        Assert.Contains("Trading:Symbols:StaleAftr is not a setting", error.Message, StringComparison.Ordinal);
        Assert.Contains("PaperExchange:AckLatncy is not a setting", error.Message, StringComparison.Ordinal);
    }

    // The README's three misspellings at once: the gateway's section was checked first and alone, so its key was named,
    // the start stopped, and the grains' sections' keys came one restart later.
    [Fact]
    public void UnknownKeysOfTheGatewayAndTheGrainsSections_AreNamedInOneMessage()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Kind"] = "sqlite",
            ["Feed:Symbol"] = "SPY",
            ["Gateway:RateLimit"] = "5",
        });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddSiloDefaults());

        Assert.Contains("Storage:Kind is not a setting (Storage has ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Feed:Symbol is not a setting (Feed has ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:RateLimit is not a setting (Gateway has ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheGrainsAndVenueSections_ReachTheirOptions()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Trading:Accounts:HistoryPageSize", "16")
            .UseSetting("Trading:Symbols:StaleAfter", "00:01:00")
            .UseSetting("PaperExchange:MaxRetainedOrders", "2000"));
        using var client = factory.CreateClient();

        Assert.Equal(16, factory.Services.GetRequiredService<IOptions<AccountGrainOptions>>().Value.HistoryPageSize);
        Assert.Equal(TimeSpan.FromMinutes(1), factory.Services.GetRequiredService<IOptions<SymbolGrainOptions>>().Value.StaleAfter);
        var venue = factory.Services.GetRequiredService<IOptions<PaperExchangeOptions>>().Value;
        Assert.Equal(2000, venue.MaxRetainedOrders);
        Assert.Equal(PaperCalendarKind.AlwaysOpen, venue.Calendar);
    }

    /// <summary>
    /// docs/market-data.md lists MarketData:Synthetic's keys; the silo's synthetic feed takes them (its symbols and calendar
    /// aside, which Feed:Symbols and Calendar:Kind give), where it set the pacing and the tick interval over them.
    /// </summary>
    [Fact]
    public void TheSyntheticFeedsSection_ReachesTheSilosFeed()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("MarketData:Synthetic:TickInterval", "00:00:05")
            .UseSetting("MarketData:Synthetic:Paced", "false")
            .UseSetting("MarketData:Synthetic:Seed", "7"));
        using var client = factory.CreateClient();

        var feed = factory.Services.GetRequiredService<IOptions<SyntheticFeedOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(5), feed.TickInterval);
        Assert.False(feed.Paced);
        Assert.Equal(7UL, feed.Seed);
    }

    [Fact]
    public void ThePaperExchangeCalendar_SetAsCalendarKindSetsIt_IsAccepted_AndTheVenueFollowsCalendarKind()
    {
        // Only a PaperExchange:Calendar that differs from Calendar:Kind is refused: the same value changes nothing.
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Kind", "none")
            .UseSetting("Calendar:Kind", "nyse")
            .UseSetting("PaperExchange:Calendar", "Nyse")
            .UseSetting("PaperExchange:AcceptUnlistedSymbols", "true"));
        using var client = factory.CreateClient();

        var venue = factory.Services.GetRequiredService<IOptions<PaperExchangeOptions>>().Value;
        Assert.Equal(PaperCalendarKind.Nyse, venue.Calendar);
        Assert.IsType<OrleansTrader.Domain.Calendar.NyseCalendar>(factory.Services.GetRequiredService<TradingEnvironment>().Calendar);
    }

    [Fact]
    public void TheSyntheticFeed_FollowsCalendarKind()
    {
        // Under the NYSE calendar the synthetic feed printed all weekend: marks moved and strategies signalled while closed.
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Calendar:Kind", "nyse"));
        using var client = factory.CreateClient();

        var feed = factory.Services.GetRequiredService<IOptions<OrleansTrader.MarketData.Synthetic.SyntheticFeedOptions>>().Value;
        Assert.IsType<OrleansTrader.Domain.Calendar.NyseCalendar>(feed.Calendar);
    }

    // IEX (Alpaca's default feed) prints 08:00-17:00 New York: judged over the whole 04:00-20:00 session, its silence
    // tripped every account to REDUCING at 04:01 and 17:01 each trading day. The breaker and readiness judge by these hours.
    [Theory]
    [InlineData("alpaca", null, "iex")]
    [InlineData("alpaca", "sip", "extended")]
    [InlineData("alpaca", "delayed_sip", "delayed_sip")]
    [InlineData("synthetic", null, "extended")]
    public void TheFeedsHours_FollowFeedKind_AndTheAlpacaFeed(string kind, string? alpacaFeed, string expected)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Storage:Provider", "memory");
            b.UseSetting("Demo:Enabled", "false");
            b.UseSetting("Calendar:Kind", "nyse");
            b.UseSetting("Feed:Kind", kind);
            b.UseSetting("Feed:Symbols:0", "SPY");
            b.UseSetting("MarketData:Alpaca:KeyId", "PKFEEDHOURSTEST01");
            b.UseSetting("MarketData:Alpaca:SecretKey", "feed-hours-test-secret-01");

            // Nothing listens there: the stream never reaches Alpaca from a test.
            b.UseSetting("MarketData:Alpaca:StreamBaseUrl", "ws://127.0.0.1:9/v2");
            if (alpacaFeed is not null)
            {
                b.UseSetting("MarketData:Alpaca:Feed", alpacaFeed);
            }
        });
        using var client = factory.CreateClient();

        var hours = factory.Services.GetRequiredService<TradingEnvironment>().FeedHours;
        Assert.Equal(expected switch { "iex" => FeedHours.Iex, "delayed_sip" => FeedHours.DelayedSip, _ => FeedHours.ExtendedSession }, hours);
    }

    // With Alpaca keys and no Feed:Kind, the synthetic feed priced the Alpaca account's risk checks and strategies with
    // simulated prices; with Alpaca's market data and no Calendar:Kind, the always-open calendar judged the market's nightly
    // silence as stale data (every account REDUCING each night) and rolled days at UTC midnight.
    [Theory]
    [InlineData(true, null, null, null, "alpaca", "nyse")]
    [InlineData(true, null, "test", null, "alpaca", "always-open")]
    [InlineData(false, "alpaca", "sip", null, "alpaca", "nyse")]
    [InlineData(true, "none", null, null, "none", "always-open")]
    [InlineData(true, null, null, "nyse", "alpaca", "nyse")]
    [InlineData(false, null, null, null, "synthetic", "always-open")]
    public void TheFeedAndTheCalendar_LeftUnset_FollowAlpaca(bool alpacaKeys, string? feedKind, string? alpacaFeed, string? calendarKind, string expectedFeed, string expectedCalendar)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(MarketSettings(alpacaKeys, feedKind, alpacaFeed, calendarKind));

        builder.AddOrleansTrader();

        Assert.Equal((expectedFeed, expectedCalendar), (Registered<FeedSettings>(builder).Kind, Registered<CalendarSettings>(builder).Kind));
    }

    [Theory]
    [InlineData(true, "synthetic", null, null, "Alpaca:AccountId (main) trades through Alpaca, but Feed:Kind is synthetic: its risk checks and strategies would price its orders with simulated prices. Set Feed:Kind=alpaca")]
    [InlineData(true, "replay", null, null, "Alpaca:AccountId (main) trades through Alpaca, but Feed:Kind is replay: its risk checks and strategies would price its orders with replayed prices.")]
    [InlineData(false, "alpaca", null, "always-open", "Feed:Kind=alpaca delivers the market's own data (MarketData:Alpaca:Feed=iex), silent outside its sessions, but Calendar:Kind is always-open")]
    [InlineData(true, null, "sip", "always-open", "Feed:Kind=alpaca delivers the market's own data (MarketData:Alpaca:Feed=sip)")]
    public void TheFeedAndTheCalendar_SetAgainstAlpaca_StopTheStart(bool alpacaKeys, string? feedKind, string? alpacaFeed, string? calendarKind, string expected)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(MarketSettings(alpacaKeys, feedKind, alpacaFeed, calendarKind));

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddOrleansTrader());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> MarketSettings(bool alpacaKeys, string? feedKind, string? alpacaFeed, string? calendarKind)
    {
        var settings = new Dictionary<string, string?> { ["Storage:Provider"] = "memory", ["Demo:Enabled"] = "false" };
        if (alpacaKeys)
        {
            (settings["Alpaca:KeyId"], settings["Alpaca:SecretKey"], settings["Alpaca:AccountId"]) = ("PKMARKETFOLLOWS01", "market-follows-secret-01", "main");
        }

        // An Alpaca feed needs a symbol to subscribe to; the others take it too.
        settings["Feed:Symbols:0"] = "SPY";
        if (feedKind == "replay")
        {
            settings["Feed:Path"] = Path.GetTempPath();
        }

        (settings["Feed:Kind"], settings["MarketData:Alpaca:Feed"], settings["Calendar:Kind"]) = (feedKind, alpacaFeed, calendarKind);
        if (!alpacaKeys)
        {
            (settings["MarketData:Alpaca:KeyId"], settings["MarketData:Alpaca:SecretKey"]) = ("PKMARKETFOLLOWS02", "market-follows-secret-02");
        }

        return settings.Where(setting => setting.Value is not null).ToDictionary();
    }

    private static T Registered<T>(WebApplicationBuilder builder) =>
        (T)builder.Services.Single(service => service.ServiceType == typeof(T)).ImplementationInstance!;

    private static Exception Unwrap(Exception error)
    {
        var current = error;
        while (current is not OptionsValidationException && current.InnerException is { } inner)
        {
            current = inner;
        }

        return current;
    }
}
