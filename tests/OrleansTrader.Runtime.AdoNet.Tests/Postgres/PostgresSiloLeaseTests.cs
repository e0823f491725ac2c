using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>One silo per database: waiting, handing over to a new deployment, and never being asked back.</summary>
public sealed class PostgresSiloLeaseTests(PostgresDatabaseFixture postgres) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    // Long enough for several polls of a waiting silo; short enough to keep the class quick.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(800);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Each test has a schema of its own: the lock is per schema, so the tests cannot see each other's silos.
    private PostgresSiloLease Lease(string schema, string? deploymentId) =>
        new(postgres.Options(schema), deploymentId, NullLogger.Instance, Poll);

    [Fact]
    public async Task ASecondSilo_WaitsWhileTheFirstHoldsTheDatabase_AndTakesItWhenTheFirstReleasesIt()
    {
        await using var first = Lease("lease_wait", deploymentId: null);
        await using var second = Lease("lease_wait", deploymentId: null);
        await first.AcquireAsync(Ct);

        var waiting = second.AcquireAsync(Ct);
        await Task.Delay(Settle, Ct);
        Assert.False(waiting.IsCompleted);
        Assert.Null(await first.FindSuccessorAsync(Ct)); // no deployment id: it waits, it does not ask

        await first.DisposeAsync();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(second.IsHeld);
    }

    [Fact]
    public async Task ANewDeployment_AsksTheHolderToHandOver_AndTheRetiredDeploymentNeverAsksBack()
    {
        await using var old = Lease("lease_handover", "app--r1");
        await using var next = Lease("lease_handover", "app--r2");
        await old.AcquireAsync(Ct);

        var nextWaiting = next.AcquireAsync(Ct);
        var successor = await PollForSuccessorAsync(old);
        Assert.Equal("app--r2", successor);
        Assert.False(nextWaiting.IsCompleted); // asking is not taking: the holder still has it

        await old.RetireAsync(successor, Ct);
        await old.DisposeAsync();
        await nextWaiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // A restarted replica of the old revision waits, and does not ask the new holder to step down.
        await using var restartedOld = Lease("lease_handover", "app--r1");
        var oldWaiting = restartedOld.AcquireAsync(Ct);
        await Task.Delay(Settle, Ct);
        Assert.False(oldWaiting.IsCompleted);
        Assert.Null(await next.FindSuccessorAsync(Ct));

        // It still takes a database that nobody holds (a new revision that crashed), and would hand it back on request.
        await next.DisposeAsync();
        await oldWaiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(restartedOld.IsHeld);
    }

    [Fact]
    public async Task SilosOfTheSameDeployment_NeverDisplaceEachOther()
    {
        await using var holder = Lease("lease_same", "app--r1");
        await using var twin = Lease("lease_same", "app--r1");
        await holder.AcquireAsync(Ct);

        var waiting = twin.AcquireAsync(Ct);
        await Task.Delay(Settle, Ct);

        Assert.False(waiting.IsCompleted);
        Assert.Null(await holder.FindSuccessorAsync(Ct));
    }

    [Fact]
    public async Task ARequestItsSiloStoppedRenewing_DoesNotStopTheHolder()
    {
        await using var holder = Lease("lease_abandoned", "app--r1");
        await holder.AcquireAsync(Ct);

        await using (var gone = Lease("lease_abandoned", "app--r2"))
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var waiting = gone.AcquireAsync(cancel.Token);
            Assert.Equal("app--r2", await PollForSuccessorAsync(holder));
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        }

        await Task.Delay(holder.RequestLifetime + Settle, Ct);
        Assert.Null(await holder.FindSuccessorAsync(Ct));
    }

    [Fact]
    public async Task TheHolder_FindsOutWhenItsConnectionIsGone()
    {
        await using var holder = Lease("lease_lost", "app--r1");
        await holder.AcquireAsync(Ct);

        // Another session ends the holder's (as a failover or a network cut would); its lock goes with it.
        await using (var admin = new NpgsqlConnection(postgres.ConnectionString))
        {
            await admin.OpenAsync(Ct);
            await using var kill = new NpgsqlCommand(
                """
                SELECT pg_terminate_backend(pid) FROM pg_locks
                WHERE locktype = 'advisory' AND classid = @class AND objid = hashtext('lease_lost')::oid AND granted;
                """, admin);
            kill.Parameters.Add(new NpgsqlParameter<long>("class", PostgresSiloLease.LeaseLockClass));
            Assert.Equal(true, await kill.ExecuteScalarAsync(Ct));
        }

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => holder.FindSuccessorAsync(Ct));

        // And the database is free for the next silo.
        await using var next = Lease("lease_lost", "app--r2");
        await next.AcquireAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    // A cut network cannot be staged here; this checks what bounds it. The lease's session holds no transaction, so only
    // the server's TCP keepalive ends it for a holder whose host vanished: about two hours with the OS defaults, during
    // which no other silo could start. Over TCP, PostgreSQL reports these from the socket itself.
    [Fact]
    public async Task TheLeaseSession_HasTheServerDropAVanishedHolderWithinAboutAMinute()
    {
        await using var holder = Lease("lease_keepalive", "app--r1");
        await holder.AcquireAsync(Ct);

        Assert.Equal("30", await holder.SessionSettingAsync("tcp_keepalives_idle", Ct));
        Assert.Equal("10", await holder.SessionSettingAsync("tcp_keepalives_interval", Ct));
        Assert.Equal("3", await holder.SessionSettingAsync("tcp_keepalives_count", Ct));
        Assert.Equal("60000", await holder.SessionSettingAsync("tcp_user_timeout", Ct));
    }

    [Fact]
    public async Task TheConnectionStringsOwnOptions_ApplyToTheLeaseSession_AndOverrideItsKeepalive()
    {
        var options = postgres.Options("lease_keepalive_override");
        options.ConnectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            Options = "-c tcp_keepalives_idle=20 -c statement_timeout=12345",
        }.ConnectionString;
        await using var holder = new PostgresSiloLease(options, "app--r1", NullLogger.Instance, Poll);
        await holder.AcquireAsync(Ct);

        Assert.Equal("20", await holder.SessionSettingAsync("tcp_keepalives_idle", Ct));
        Assert.Equal("12345ms", await holder.SessionSettingAsync("statement_timeout", Ct));
        Assert.Equal("10", await holder.SessionSettingAsync("tcp_keepalives_interval", Ct));
    }

    [Fact]
    public async Task SilosWhoseSchemaNamesDifferOnlyInCase_ShareOneLease()
    {
        // "Lease_Case" and "lease_case" name the same tables; each held a lock of its own, and both silos ran on them.
        await using var holder = Lease("Lease_Case", "app--r1");
        await using var other = Lease("lease_case", "app--r2");
        await holder.AcquireAsync(Ct);

        var waiting = other.AcquireAsync(Ct);
        Assert.Equal("app--r2", await PollForSuccessorAsync(holder));
        Assert.False(waiting.IsCompleted);
        Assert.False(other.IsHeld);

        await holder.DisposeAsync();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(other.IsHeld);
    }

    [Fact]
    public async Task ASiloOfThePreviousVersion_KeyedOnTheConfiguredName_AndThisVersion_ExcludeEachOther()
    {
        // The previous version keyed the lock on the schema name as configured: hashtext('Lease_Prev').
        const string Previous = "SELECT pg_try_advisory_lock(@class, hashtext('Lease_Prev'));";
        await using (var previous = await OpenAdminAsync())
        {
            Assert.Equal(true, await LockScalarAsync(previous, Previous));
            await using var next = Lease("Lease_Prev", "app--r2");
            var waiting = next.AcquireAsync(Ct);
            await WaitForRequestAsync("lease_prev", "app--r2");
            Assert.False(waiting.IsCompleted);

            // The previous version's silo stops: its session ends, and the new one takes the database.
            await previous.CloseAsync();
            await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.True(next.IsHeld);

            // A previous-version silo started now (a restarted replica of the old revision) finds the database taken.
            await using var restarted = await OpenAdminAsync();
            Assert.Equal(false, await LockScalarAsync(restarted, Previous));
        }
    }

    [Fact]
    public async Task CommandsOnTheLockSession_NeverWaitLongerThanTheServerKeepsASilentHoldersLock()
    {
        // Raised for an index build, the configured timeout let a check on a silent session wait ten minutes, while the
        // server drops that session, and frees the lock for the next silo, about a minute after it last heard from it.
        var slow = postgres.Options("lease_timeouts");
        slow.CommandTimeout = TimeSpan.FromMinutes(10);
        Assert.All(await LockSessionTimeoutsAsync(slow), seconds => Assert.Equal(PostgresSiloLease.LockSessionCommandTimeoutSeconds, seconds));

        // A shorter one applies as configured.
        var quick = postgres.Options("lease_timeouts");
        quick.CommandTimeout = TimeSpan.FromSeconds(5);
        Assert.All(await LockSessionTimeoutsAsync(quick), seconds => Assert.Equal(5, seconds));
    }

    /// <summary>The timeouts of the commands a lease runs on its lock's session: take, check, confirm, release.</summary>
    private static async Task<List<int>> LockSessionTimeoutsAsync(PostgresStorageOptions options)
    {
        var timeouts = new List<int>();
        var lease = new PostgresSiloLease(options, "app--r1", NullLogger.Instance, Poll);
        lease.LockSessionCommandStarting = command => timeouts.Add(command.CommandTimeout);
        await lease.AcquireAsync(Ct);
        Assert.Null(await lease.FindSuccessorAsync(Ct));
        Assert.True(await lease.StillHeldAsync(Ct));
        await lease.DisposeAsync();
        Assert.Equal(4, timeouts.Count);
        return timeouts;
    }

    private async Task<NpgsqlConnection> OpenAdminAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }

    private static async Task<object?> LockScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<int>("class", PostgresSiloLease.LeaseLockClass));
        return await command.ExecuteScalarAsync(Ct);
    }

    /// <summary>Waits until <paramref name="deploymentId"/> has asked for the database: its silo found it taken.</summary>
    private async Task WaitForRequestAsync(string schema, string deploymentId)
    {
        await using var connection = await OpenAdminAsync();
        for (var i = 0; i < 100; i++)
        {
            await using var command = new NpgsqlCommand(
                $"SELECT count(*) FROM {schema}.ot_silo_deployments WHERE deployment_id = @id AND state = 'requested';", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("id", deploymentId));
            try
            {
                if (await command.ExecuteScalarAsync(Ct) is 1L)
                {
                    return;
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // The lease has not created its table yet.
            }

            await Task.Delay(Poll, Ct);
        }

        throw new TimeoutException($"Deployment {deploymentId} did not ask for the database.");
    }

    private static async Task<string> PollForSuccessorAsync(PostgresSiloLease holder)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await holder.FindSuccessorAsync(Ct) is { } successor)
            {
                return successor;
            }

            await Task.Delay(Poll, Ct);
        }

        throw new TimeoutException("No deployment asked for the database.");
    }
}
