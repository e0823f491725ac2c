using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// A rolling deployment on PostgreSQL, as Azure Container Apps runs one: the new revision's silo starts while the old
/// one runs, asks it for the database, and starts only after the old one has stopped and written everything. And a
/// silo that loses its database lock stops rather than run on beside whichever silo takes the database next.
/// </summary>
public sealed class SiloHandoverTests : IAsyncLifetime
{
    private const string EnvironmentVariable = "ORLEANSTRADER_TEST_POSTGRES";

    private readonly ThrowawayPostgresDatabase _database = new("ot_silo_");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _database.CreateAsync();

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task ANewRevision_WaitsForTheOldSiloToHandOver_AndFindsEverythingItWrote()
    {
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the handover test needs PostgreSQL.");

        var old = Silo("app--rev1");
        using var oldClient = old.CreateClient();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        await SiloTrading.TradeOnceAsync(old.Services.GetRequiredService<IGrainFactory>(), "handover", "SWAP");

        // The new revision's start waits for the database (CreateClient starts the host).
        using var next = Silo("app--rev2");
        var nextStarted = Task.Run(next.CreateClient, Ct);

        await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.False(nextStarted.IsCompleted, "The new silo started while the old one still held the database.");

        // What the host's run loop does on StopApplication (a test host is started, not run): stop, then exit.
        await old.DisposeAsync();
        using var nextClient = await nextStarted.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var account = next.Services.GetRequiredService<IGrainFactory>().GetGrain<IAccountGrain>("handover");
        var position = Assert.Single(await account.GetPositionsAsync());
        Assert.Equal(5m, position.Quantity);
    }

    [Fact]
    public async Task ANewRevision_TheStoreFormatRefuses_StopsBeforeItAsksForTheDatabase_AndTheRunningSiloGoesOn()
    {
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the handover test needs PostgreSQL.");
        var running = Silo("app--rev1");
        using var runningClient = running.CreateClient();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        running.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());

        // The running silo's store as a newer store format left it: the new revision is a rollback to an older build.
        await using (var connection = new NpgsqlConnection(_database.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var newer = new NpgsqlCommand("UPDATE grain_state SET payload = @payload WHERE grain_type = 'store-format';", connection);
            newer.Parameters.AddWithValue("payload", System.Text.Encoding.UTF8.GetBytes($$"""{"Format":{{StoreFormat.Current + 1}},"LastBuild":"9.9.9+future"}"""));
            Assert.Equal(1, await newer.ExecuteNonQueryAsync(Ct));
        }

        using var older = Silo("app--rev2");
        var olderStarted = Task.Run(older.CreateClient, Ct);
        await Task.WhenAny(olderStarted, stopping.Task).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.False(stopping.Task.IsCompleted, "The running silo handed the database over to a build that the store's format refuses.");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => olderStarted);
        Assert.StartsWith(
            $"The store (PostgreSQL, Storage:ConnectionString) is in store format {StoreFormat.Current + 1}, last started by build 9.9.9+future;",
            refused.Message, StringComparison.Ordinal);
        await running.DisposeAsync();
    }

    [Fact]
    public async Task ASiloThatLosesItsDatabaseLock_StopsItself()
    {
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the handover test needs PostgreSQL.");
        using var silo = Silo("app--rev1");
        using var client = silo.CreateClient();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        silo.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());

        // A failover or a network cut ends the lock's session; another silo could take the database from then on.
        await using (var admin = new NpgsqlConnection(_database.ConnectionString))
        {
            await admin.OpenAsync(Ct);
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'orleanstrader-silo-lease';",
                admin);
            Assert.Equal(1L, await kill.ExecuteScalarAsync(Ct));
        }

        await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }

    [Fact]
    public async Task ASiloWhoseRoleLosesItsRightsOnTheTables_KeepsItsDatabaseLock_AndTradesOnceTheyAreGrantedAgain()
    {
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the handover test needs PostgreSQL.");

        await WithRoleOwningTheDatabaseAsync(async (role, roleConnection) =>
        {
            using (var silo = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
                .UseSetting("Storage:Provider", "postgres")
                .UseSetting("Storage:ConnectionString", roleConnection)
                .UseSetting(SiloLeaseService.DeploymentIdKey, "app--rev1")
                .UseSetting("Demo:Enabled", "false")
                .UseSetting("Feed:Kind", "none")))
            {
                using var client = silo.CreateClient();
                var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                silo.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());

                // The lease's check of the deployments table is refused from now on, over a session that still holds the lock.
                await ExecuteAsAdminAsync($"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};");
                var lease = silo.Services.GetRequiredService<PostgresSiloLease>();
                await Task.Delay(lease.PollInterval * 5, Ct);
                Assert.False(stopping.Task.IsCompleted, "The silo stopped when its role lost its rights on the tables, though it still held the database lock.");
                Assert.True(await lease.StillHeldAsync(Ct));

                await ExecuteAsAdminAsync($"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role};");
                await SiloTrading.TradeOnceAsync(silo.Services.GetRequiredService<IGrainFactory>(), "regranted", "RGNT");
                Assert.False(stopping.Task.IsCompleted);
            }
        });
    }

    [Fact]
    public async Task ASiloWhoseLockCheckTimesOut_KeepsItsDatabaseLock_AndTradesOnceTheCheckAnswers()
    {
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the handover test needs PostgreSQL.");
        using var silo = Silo("app--rev1");
        using var client = silo.CreateClient();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        silo.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        var lease = silo.Services.GetRequiredService<PostgresSiloLease>();

        // A lock on the table the check reads (a migration, a VACUUM FULL) holds the check past its command timeout: the
        // driver has the server cancel it, over the lock's own session, which stays open.
        await using (var admin = new NpgsqlConnection(_database.ConnectionString))
        {
            await admin.OpenAsync(Ct);
            await using var transaction = await admin.BeginTransactionAsync(Ct);
            await using (var exclusive = new NpgsqlCommand("LOCK TABLE ot_silo_deployments IN ACCESS EXCLUSIVE MODE;", admin, transaction))
            {
                await exclusive.ExecuteNonQueryAsync(Ct);
            }

            await Task.Delay(new PostgresStorageOptions().CommandTimeout + (lease.PollInterval * 5), Ct);
            Assert.False(stopping.Task.IsCompleted, "The silo stopped when its check timed out, though it still held the database lock.");
            await transaction.CommitAsync(Ct);
        }

        Assert.Equal(1L, await CountAsync(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'orleanstrader-silo-lease';"));
        await SiloTrading.TradeOnceAsync(silo.Services.GetRequiredService<IGrainFactory>(), "timed-out", "TMO");
        Assert.False(stopping.Task.IsCompleted);
    }

    [Fact]
    public async Task ALockCheckThatTimesOut_IsLoggedAsTimedOut_NotAsRefused()
    {
        // Event 1204 said "PostgreSQL refused this silo's check" for a check the driver's command timeout cut short, and
        // gave only "Exception while reading from stream": an operator looked for a REVOKE instead of a lock on the table.
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the handover test needs PostgreSQL.");
        var logs = new CapturedLogs();
        using var silo = Silo("app--rev1").WithWebHostBuilder(b => b
            .ConfigureServices(s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs)));
        using var client = silo.CreateClient();

        await using (var admin = new NpgsqlConnection(_database.ConnectionString))
        {
            await admin.OpenAsync(Ct);
            await using var transaction = await admin.BeginTransactionAsync(Ct);
            await using (var exclusive = new NpgsqlCommand("LOCK TABLE ot_silo_deployments IN ACCESS EXCLUSIVE MODE;", admin, transaction))
            {
                await exclusive.ExecuteNonQueryAsync(Ct);
            }

            // The lease's check keeps the default command timeout (30 s) whatever Storage:CommandTimeout says.
            await WaitForEventAsync(logs, 1204, new PostgresStorageOptions().CommandTimeout + TimeSpan.FromSeconds(30));
            await transaction.CommitAsync(Ct);
        }

        var line = Assert.Single(logs.Entries, e => e.EventId.Id == 1204).Text;
        Assert.StartsWith("This silo's check for a deployment asking for the database timed out: ", line, StringComparison.Ordinal);
        Assert.Contains("Timeout", line, StringComparison.Ordinal);
        Assert.DoesNotContain("refused", line, StringComparison.Ordinal);
        await WaitForEventAsync(logs, 1205, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ALockCheckThatIsRefused_IsLoggedAsRefused_WithTheServersError()
    {
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the handover test needs PostgreSQL.");
        await WithRoleOwningTheDatabaseAsync(async (role, roleConnection) =>
        {
            var logs = new CapturedLogs();
            using (var silo = Silo("app--rev1").WithWebHostBuilder(b => b
                .UseSetting("Storage:ConnectionString", roleConnection)
                .ConfigureServices(s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs))))
            {
                using var client = silo.CreateClient();
                await ExecuteAsAdminAsync($"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};");
                await WaitForEventAsync(logs, 1204, TimeSpan.FromSeconds(30));
                await ExecuteAsAdminAsync($"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role};");
                await WaitForEventAsync(logs, 1205, TimeSpan.FromSeconds(30));
            }

            var line = Assert.Single(logs.Entries, e => e.EventId.Id == 1204).Text;
            Assert.StartsWith("This silo's check for a deployment asking for the database was refused by PostgreSQL: 42501: permission denied for table ot_silo_deployments", line, StringComparison.Ordinal);
        });
    }

    /// <summary>
    /// Runs <paramref name="test"/> with a login role of its own that owns the test database (and so its tables), as a
    /// deployment's login would (the test server's admin is a superuser, whom a REVOKE does not bind), and its connection
    /// string; the role goes afterwards.
    /// </summary>
    private async Task WithRoleOwningTheDatabaseAsync(Func<string, string, Task> test)
    {
        var role = "ot_role_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsAdminAsync($"CREATE ROLE {role} LOGIN PASSWORD 'role-password'; ALTER DATABASE {_database.Name} OWNER TO {role};");
        try
        {
            await test(role, new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Username = role, Password = "role-password" }.ConnectionString);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsAdminAsync($"REASSIGN OWNED BY {role} TO CURRENT_USER; DROP OWNED BY {role}; DROP ROLE {role};");
        }
    }

    /// <summary>Waits (<paramref name="within"/> at most) until the silo has logged <paramref name="eventId"/>.</summary>
    private static async Task WaitForEventAsync(CapturedLogs logs, int eventId, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (!logs.Entries.Any(e => e.EventId.Id == eventId))
        {
            Assert.True(deadline.Elapsed < within, $"Event {eventId} was not logged within {within}.");
            await Task.Delay(TimeSpan.FromMilliseconds(100), Ct);
        }
    }

    [Fact]
    public async Task ASiloStartedByARoleWithoutRightsOnTheTables_StopsWithALineThatNamesTheConnectionString()
    {
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the PostgreSQL silo test needs it.");
        await WithRoleOwningTheDatabaseAsync(async (role, roleConnection) =>
        {
            WebApplicationFactory<Program> RoleSilo() => new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
                .UseSetting("Storage:Provider", "postgres")
                .UseSetting("Storage:ConnectionString", roleConnection)
                .UseSetting("Storage:StartupTimeout", "00:00:00")
                .UseSetting("Demo:Enabled", "false")
                .UseSetting("Feed:Kind", "none"));
            using (var first = RoleSilo())
            {
                using var client = first.CreateClient();
            }

            await ExecuteAsAdminAsync($"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};");
            using var second = RoleSilo();
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => Task.Run(second.CreateClient, Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct));

            // The line was PostgreSQL's alone, "42501: permission denied for table grain_state", naming no setting.
            var line = StartFailure.Reason(refused);
            Assert.StartsWith("Storage:ConnectionString: 42501: permission denied for table ", line, StringComparison.Ordinal);
            Assert.EndsWith(StartFailure.RoleLacksRights, line, StringComparison.Ordinal);
            Assert.DoesNotContain("role-password", line, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task TheSiloProcess_ThatLosesItsDatabaseLock_ExitsWithAFailureCode()
    {
        // An outage (the server restarted, a failover) ends the lock's session and the silo stops itself. It exited with
        // code 0, as after Ctrl+C, so a supervisor that restarts failed processes only (systemd's Restart=on-failure)
        // left it stopped once the database was back.
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the handover test needs PostgreSQL.");
        using var silo = new SiloProcess(_database.ConnectionString!, "silo-lease-lost-", "Application started");
        // Once the silo runs, end the lock's session as the server's restart would.
        await silo.Seen.WaitAsync(TimeSpan.FromSeconds(90), Ct);
        Assert.Equal(1L, await CountAsync(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'orleanstrader-silo-lease';"));
        await silo.Process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(90), Ct);

        Assert.Contains("Lost the connection that holds the database for this silo", silo.Log, StringComparison.Ordinal);
        Assert.True(silo.Process.ExitCode == 1, $"exit code {silo.Process.ExitCode}");
    }

    [Fact]
    public async Task TheSiloProcess_StoppedWhileItWaitsForTheDatabase_ExitsCleanlyWithoutAnError()
    {
        // A rolling deployment stops silos that wait: a restarted replica of the retired revision when that revision is
        // deactivated, a new revision that is rolled back. SIGTERM ended the wait with an error of the host ("Hosting failed
        // to start") and a TaskCanceledException's stack trace, for a stop that was asked for and lost nothing.
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the handover test needs PostgreSQL.");
        Assert.SkipWhen(OperatingSystem.IsWindows(), "The test sends SIGTERM with kill.");
        await using var holder = new PostgresSiloLease(
            new PostgresStorageOptions { ConnectionString = _database.ConnectionString }, "app--rev1",
            NullLogger.Instance);
        await holder.AcquireAsync(Ct);

        using var silo = new SiloProcess(_database.ConnectionString!, "silo-lease-wait-stop-", "Another silo holds PostgreSQL schema", ("Silo__DeploymentId", "app--rev1"));
        await silo.Seen.WaitAsync(TimeSpan.FromSeconds(90), Ct);
        using (var kill = Process.Start("kill", ["-TERM", silo.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(Ct);
        }

        await silo.Process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(90), Ct);

        var output = silo.Log;
        Assert.True(silo.Process.ExitCode == 0, $"exit code {silo.Process.ExitCode}\n{output}");
        Assert.DoesNotContain(" ERR]", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("did not start", output, StringComparison.Ordinal);
        Assert.True(holder.IsHeld);
    }

    [Fact]
    public async Task StorageCommandTimeout_BoundsTheSchemaSetUp_ThatBuildsAnUpgradesIndexOnTheExistingLog()
    {
        // The first start of a version that adds an index to the stream log builds it on the retained events. On a large
        // log that outlasted the providers' fixed 30 s command timeout: the start failed ("Exception while reading from
        // stream"), again at every restart, and docs/runtime.md's advice to raise the timeout for the first start had no
        // setting to do it with (the connection string's "Command Timeout" is overridden). Here the build is held up by a
        // lock for longer than the timeout set, so it is the setting, not the default, that ends the start.
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the PostgreSQL silo test needs it.");
        await using var blocker = new NpgsqlConnection(_database.ConnectionString);
        await blocker.OpenAsync(Ct);
        await using (var oldLog = new NpgsqlCommand("""
            CREATE TABLE stream_events (
                position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                stream_namespace text NOT NULL,
                stream_key text NOT NULL,
                sequence bigint NOT NULL,
                payload bytea NOT NULL,
                timestamp_ticks bigint NOT NULL,
                UNIQUE (stream_namespace, stream_key, sequence));
            """, blocker))
        {
            await oldLog.ExecuteNonQueryAsync(Ct);
        }

        // A writer's open transaction: CREATE INDEX waits for it.
        await using var writing = await blocker.BeginTransactionAsync(Ct);
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE stream_events IN ROW EXCLUSIVE MODE;", blocker, writing))
        {
            await lockTable.ExecuteNonQueryAsync(Ct);
        }

        using var silo = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "postgres")
            .UseSetting("Storage:ConnectionString", _database.ConnectionString)
            .UseSetting("Storage:CommandTimeout", "00:00:02")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Kind", "none"));
        var starting = Task.Run(silo.CreateClient, Ct);

        // Far beyond the 2 s set, far short of the 30 s default: the start must have ended by then.
        await Task.WhenAny(starting, Task.Delay(TimeSpan.FromSeconds(20), Ct));
        var endedWhileBlocked = starting.IsCompleted;
        await writing.RollbackAsync(Ct);
        Assert.True(endedWhileBlocked, "The schema set-up still waited after Storage:CommandTimeout had passed.");
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => starting);
        Assert.Contains("Timeout", failure.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("01:00:01")]
    public void StorageCommandTimeout_OutOfRange_StopsTheStartNamingTheSetting(string timeout)
    {
        using var silo = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Storage:CommandTimeout", timeout)
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Kind", "none"));

        var refused = Assert.ThrowsAny<Exception>(() => silo.CreateClient());

        Assert.Contains("Storage:CommandTimeout must be greater than zero and at most 01:00:00", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDocumentedPostgresSettings_CreateTheSchemaOnAnEmptyDatabase_AndASecondStartFindsWhatTheFirstWrote()
    {
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the PostgreSQL silo test needs it.");

        // A workstation: no deployment id, the settings docs/grains.md names and nothing else.
        using (var first = Silo(deploymentId: null))
        {
            using var client = first.CreateClient();
            await SiloTrading.TradeOnceAsync(first.Services.GetRequiredService<IGrainFactory>(), "pg-first", "PGF");
        }

        Assert.True(await CountAsync("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public';") >= 4);
        using var second = Silo(deploymentId: null);
        using var secondClient = second.CreateClient();
        using var ready = await secondClient.GetAsync("/health/ready", Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        var grains = second.Services.GetRequiredService<IGrainFactory>();
        Assert.Equal(5m, Assert.Single(await grains.GetGrain<IAccountGrain>("pg-first").GetPositionsAsync()).Quantity);
        Assert.Single(await grains.GetGrain<IAccountGrain>("pg-first").GetFillsAsync(0, 100));
        await SiloTrading.TradeOnceAsync(grains, "pg-second", "PGS");
    }

    [Theory]
    [InlineData("Port=1", "Failed to connect")]
    [InlineData("Database=ot_no_such_database", "ot_no_such_database")]
    [InlineData("Hots=nowhere", "hots")]
    public async Task AWrongConnectionString_StopsTheStartWithAMessageThatSaysWhy(string change, string expected)
    {
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the PostgreSQL silo test needs it.");
        var wrong = _database.ConnectionString + ";" + change + ";Password=s3cret-tail";
        using var silo = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "postgres")
            .UseSetting("Storage:ConnectionString", wrong)
            .UseSetting("Storage:StartupTimeout", "00:00:00")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Kind", "none"));

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => Task.Run(silo.CreateClient, Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct));

        Assert.IsNotType<TimeoutException>(refused);
        var message = refused.ToString();
        Assert.Contains(expected, message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("s3cret-tail", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSiloProcess_StartedBeforeItsDatabase_BecomesReadyOnceTheDatabaseIsUp()
    {
        // A container platform often starts the database after the app: the silo exited at its first failed connection.
        Assert.SkipWhen(_database.ConnectionString is null, $"{EnvironmentVariable} is not set; the PostgreSQL silo test needs it.");
        var server = new NpgsqlConnectionStringBuilder(_database.ConnectionString);
        Assert.SkipWhen(server.Host is null || server.Host.StartsWith('/'), "The test forwards TCP; the server is reached over a socket file.");

        // The silo's database "comes up" when the test starts forwarding this port to the real server.
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
            WorkingDirectory = Directory.CreateTempSubdirectory("silo-db-later-").FullName,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OrleansTrader.Silo.dll"));
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Storage__Provider"] = "postgres";
        start.Environment["Storage__ConnectionString"] = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Host = "127.0.0.1", Port = port }.ConnectionString;
        start.Environment["Storage__StartupTimeout"] = "00:05:00";
        start.Environment["Demo__Enabled"] = "false";
        start.Environment["Feed__Kind"] = "none";
        var log = new System.Text.StringBuilder();
        var retrying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler collect = (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (e.Data?.Contains("The PostgreSQL database cannot be reached yet", StringComparison.Ordinal) == true)
            {
                retrying.TrySetResult();
            }

            if (e.Data is { } line && System.Text.RegularExpressions.Regex.Match(line, @"API explorer.*(http://127\.0\.0\.1:\d+)") is { Success: true } url)
            {
                listening.TrySetResult(url.Groups[1].Value);
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var forwarding = new CancellationTokenSource();
        var forwarder = Task.CompletedTask;
        try
        {
            // A silo that gives up at once has exited by then, instead of logging that it tries again.
            await Task.WhenAny(retrying.Task, process.WaitForExitAsync(Ct)).WaitAsync(TimeSpan.FromSeconds(90), Ct);
            Assert.False(process.HasExited, log.ToString());
            forwarder = ForwardAsync(port, server.Host!, server.Port, forwarding.Token);

            var baseUrl = await listening.Task.WaitAsync(TimeSpan.FromSeconds(90), Ct);
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct);
            Assert.True(ready.StatusCode == System.Net.HttpStatusCode.OK, log.ToString());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            await forwarding.CancelAsync();
            await forwarder.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            Directory.Delete(start.WorkingDirectory, recursive: true);
        }
    }

    /// <summary>Accepts connections on <paramref name="port"/> and relays each to the server, until canceled.</summary>
    private static async Task ForwardAsync(int port, string host, int serverPort, CancellationToken cancellationToken)
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        listener.Start();
        var relays = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken);
                relays.Add(RelayAsync(client, host, serverPort, cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            listener.Stop();
            await Task.WhenAll(relays).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task RelayAsync(System.Net.Sockets.TcpClient client, string host, int port, CancellationToken cancellationToken)
    {
        using (client)
        using (var upstream = new System.Net.Sockets.TcpClient())
        {
            await upstream.ConnectAsync(host, port, cancellationToken);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var up = client.GetStream().CopyToAsync(upstream.GetStream(), linked.Token);
            var down = upstream.GetStream().CopyToAsync(client.GetStream(), linked.Token);

            // Either side closing ends the relay.
            await Task.WhenAny(up, down);
            await linked.CancelAsync();
            await Task.WhenAll(up, down).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Runs <paramref name="sql"/> as the test server's admin, in the test database.</summary>
    private async Task ExecuteAsAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private WebApplicationFactory<Program> Silo(string? deploymentId) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "postgres")
            .UseSetting("Storage:ConnectionString", _database.ConnectionString)
            .UseSetting(SiloLeaseService.DeploymentIdKey, deploymentId ?? string.Empty)
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Kind", "none"));

    /// <summary>The built silo run as a process on the test database (no demo, no feed), its console collected.</summary>
    private sealed class SiloProcess : IDisposable
    {
        private readonly System.Text.StringBuilder _log = new();
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly string _workingDirectory;

        public SiloProcess(string connectionString, string purpose, string awaitedLine, params (string Name, string Value)[] environment)
        {
            _workingDirectory = Directory.CreateTempSubdirectory(purpose).FullName;
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = _workingDirectory,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OrleansTrader.Silo.dll"));
            start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
            start.Environment["Storage__Provider"] = "postgres";
            start.Environment["Storage__ConnectionString"] = connectionString;
            start.Environment["Demo__Enabled"] = "false";
            start.Environment["Feed__Kind"] = "none";
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            Process = new Process { StartInfo = start };
            DataReceivedEventHandler collect = (_, e) =>
            {
                lock (_log)
                {
                    _log.AppendLine(e.Data);
                }

                if (e.Data?.Contains(awaitedLine, StringComparison.Ordinal) == true)
                {
                    _seen.TrySetResult();
                }
            };
            Process.OutputDataReceived += collect;
            Process.ErrorDataReceived += collect;
            Process.Start();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        /// <summary>Completes once the console shows the awaited line.</summary>
        public Task Seen => _seen.Task;

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            Process.Dispose();
            Directory.Delete(_workingDirectory, recursive: true);
        }
    }
}
