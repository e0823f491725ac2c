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
