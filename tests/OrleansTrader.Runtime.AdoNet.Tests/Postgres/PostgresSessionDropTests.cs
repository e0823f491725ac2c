using Microsoft.Extensions.Logging;
using Npgsql;
using OrleansTrader.Brokers.Tests.Paper;
using OrleansTrader.Runtime.Tests;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// The server ends the pool's idle sessions (pg_terminate_backend, idle_session_timeout, a firewall's idle timeout, a
/// failover): the next command sent over each fails with 57P01. Reads and the writes whose second run cannot apply
/// them twice run again over a new session, the pool's other dead sessions are closed at the first drop, and the drop
/// is logged once. Each test fills a pool of its own (its own application name) and ends its sessions.
/// </summary>
public sealed class PostgresSessionDropTests(PostgresDatabaseFixture fixture) : IClassFixture<PostgresDatabaseFixture>
{
    private const int SessionsDroppedEvent = 7004;
    private const int SessionDroppedAgainEvent = 7005;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryReadAndRetriedWrite_Succeeds_AfterTheServerEndedThePoolsIdleSessions()
    {
        var session = NewApplicationName();
        await using var database = Open(session);
        using var logs = new CapturedLogs();
        using var loggers = new LoggerFactory([logs]);
        var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance, loggers.CreateLogger<PostgresGrainStorage>());
        var log = new PostgresDurableStreamLog(database, loggers.CreateLogger<PostgresDurableStreamLog>());
        var reminders = new PostgresReminderTable(database, loggers.CreateLogger<PostgresReminderTable>());
        await storage.InitializeAsync(Ct);
        await log.InitializeAsync(Ct);
        await reminders.InitializeAsync(Ct);

        var grain = GrainId.Create("Tests.SessionDrop", Guid.NewGuid().ToString("N"));
        var state = new GrainState<TestState>(new TestState("a", 1m, 1));
        var stream = StreamId.Create("pg-session-drop", Guid.NewGuid().ToString("N"));
        var reminder = new ReminderEntry { GrainId = grain, ReminderName = "tick", StartAt = DateTimeOffset.UnixEpoch, Period = TimeSpan.FromMinutes(1) };
        string? reminderETag = null;
        var operations = new (string Name, Func<Task> Run)[]
        {
            ("storage first write", () => storage.WriteStateAsync("s", grain, state, Ct)),
            ("storage write", () => { state.State = new TestState("b", 2m, 2); return storage.WriteStateAsync("s", grain, state, Ct); }),
            ("storage read", () => storage.ReadStateAsync("s", grain, new GrainState<TestState>(new TestState("", 0m, 0)), Ct)),
            ("storage read records", () => storage.ReadRecordsAsync<PageState>(["page-1", "page-2"], grain, Ct)),
            ("storage clear", () => storage.ClearStateAsync("s", grain, state, Ct)),
            ("storage write over the tombstone", () => storage.WriteStateAsync("s", grain, state, Ct)),
            ("storage delete", () => storage.DeleteStateAsync("s", grain, state, Ct)),
            ("log append", () => log.AppendAsync(stream, [new ReadOnlyMemory<byte>([1]), new ReadOnlyMemory<byte>([2])], DateTimeOffset.UnixEpoch, Ct)),
            ("log read stream", () => log.ReadStreamAsync(stream, 0, 10, Ct)),
            ("log read namespace", () => log.ReadNamespaceAsync(stream.Namespace, 0, 10, Ct)),
            ("log save checkpoint", () => log.SaveCheckpointAsync(stream, "consumer", 1, Ct)),
            ("log save checkpoints", () => log.SaveCheckpointsAsync([new StreamCheckpoint(stream, "consumer", 2)], Ct)),
            ("log read checkpoint", () => log.GetCheckpointAsync(stream, "consumer", Ct)),
            ("log read dead letters", () => log.ReadDeadLettersAsync(stream, Ct)),
            ("log read subscriptions", () => log.ReadSubscriptionsAsync(Ct)),
            ("reminder upsert", async () => reminderETag = await reminders.UpsertRowAsync(reminder, Ct)),
            ("reminder read rows", () => reminders.ReadRowsAsync(grain, Ct)),
            ("reminder read row", () => reminders.ReadRowAsync(grain, "tick", Ct)),
            ("reminder read all", () => reminders.ReadAllRowsAsync(Ct)),
            ("reminder remove", async () => Assert.True(await reminders.RemoveRowAsync(grain, "tick", reminderETag ?? "none", Ct))),
        };

        var failed = new List<string>();
        foreach (var (name, run) in operations)
        {
            await FillPoolAsync(database, 3);
            Assert.True(await fixture.TerminateSessionsAsync(session) > 0);
            try
            {
                await run();
            }
            catch (Exception ex)
            {
                failed.Add($"{name}: {ex.GetType().Name} {ex.Message}");
            }
        }

        Assert.True(failed.Count == 0, $"{failed.Count} of {operations.Length} operations failed: {string.Join("; ", failed)}");

        // Each operation met one dead session and ran again over a new one; the append's transaction ran again whole, so
        // its events are stored once, under the stream's first two sequences.
        var events = await log.ReadStreamAsync(stream, 0, 10, Ct);
        Assert.Equal([(1L, (byte)1), (2L, (byte)2)], events.Select(e => (e.Sequence, e.Payload.Span[0])));
        Assert.Equal(2, await log.GetCheckpointAsync(stream, "consumer", Ct));
        Assert.Empty(await reminders.ReadRowsAsync(grain, Ct));
        Assert.Equal(operations.Length, logs.Entries.Count(e => e.EventId is SessionsDroppedEvent or SessionDroppedAgainEvent));
    }

    /// <summary>Npgsql clears the pool itself when it breaks a session on 57P01; the run again must not meet a dead one either.</summary>
    [Fact]
    public async Task AfterTheFirstDrop_NoCommandMeetsAnotherDeadSession_AndTheDropIsLoggedOnce()
    {
        var session = NewApplicationName();
        await using var database = Open(session);
        using var logs = new CapturedLogs();
        using var loggers = new LoggerFactory([logs]);
        var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance, loggers.CreateLogger<PostgresGrainStorage>());
        await storage.InitializeAsync(Ct);
        var grain = GrainId.Create("Tests.SessionDropOnce", Guid.NewGuid().ToString("N"));
        await FillPoolAsync(database, 6);
        Assert.Equal(6, await fixture.TerminateSessionsAsync(session));

        for (var i = 0; i < 6; i++)
        {
            await storage.ReadStateAsync("s", grain, new GrainState<TestState>(new TestState("", 0m, 0)), Ct);
        }

        // Only the first read met a dead session: the other five were closed with the pool's idle sessions.
        var drops = logs.Entries.Where(e => e.EventId is SessionsDroppedEvent or SessionDroppedAgainEvent).ToList();
        var warning = Assert.Single(drops);
        Assert.Equal((LogLevel.Warning, SessionsDroppedEvent), (warning.Level, warning.EventId));
        Assert.StartsWith("A PostgreSQL session ended under a command (57P01: terminating connection due to administrator command)", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropsWithinTenSecondsOfTheWarning_AreLoggedAtDebug_AndALaterOneWarnsAgain()
    {
        var session = NewApplicationName();
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        await using var database = Open(session, clock);
        using var logs = new CapturedLogs();
        using var loggers = new LoggerFactory([logs]);
        var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance, loggers.CreateLogger<PostgresGrainStorage>());
        await storage.InitializeAsync(Ct);
        var grain = GrainId.Create("Tests.SessionDropAgain", Guid.NewGuid().ToString("N"));

        foreach (var advance in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(9.9), TimeSpan.FromSeconds(0.1) })
        {
            clock.Advance(advance);
            await FillPoolAsync(database, 2);
            Assert.Equal(2, await fixture.TerminateSessionsAsync(session));
            await storage.ReadStateAsync("s", grain, new GrainState<TestState>(new TestState("", 0m, 0)), Ct);
        }

        Assert.Equal(
            [(LogLevel.Warning, SessionsDroppedEvent), (LogLevel.Debug, SessionDroppedAgainEvent), (LogLevel.Warning, SessionsDroppedEvent)],
            logs.Entries.Where(e => e.EventId is SessionsDroppedEvent or SessionDroppedAgainEvent).Select(e => (e.Level, e.EventId)));
    }

    /// <summary>
    /// The write ran after its session had ended only in the client's view: the server ran it and committed it, and
    /// the session ended before the answer arrived. The second run finds the version the first wrote, which is this
    /// write's payload at the next version: the write succeeded, and reporting a conflict would make the runtime
    /// reload a grain that was right.
    /// </summary>
    [Theory]
    [InlineData("write", "IS NOT NULL RETURNING version")]
    [InlineData("first write", "ON CONFLICT (grain_type")]
    [InlineData("clear", "payload = NULL WHERE")]
    [InlineData("delete", "DELETE FROM")]
    public async Task AConditionalWrite_ThatCommittedBeforeItsSessionEnded_Succeeds(string operation, string statementText)
    {
        var grain = GrainId.Create("Tests.CommittedThenDropped", Guid.NewGuid().ToString("N"));
        await using var proxy = new ReplyHoldingProxy(fixture.ConnectionString);
        var options = fixture.Options();
        options.ConnectionString = proxy.ConnectionString;
        await using var database = new PostgresDatabase(options);
        var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance);
        await storage.InitializeAsync(Ct);
        var state = new GrainState<TestState>(new TestState("a", 1m, 1));
        if (operation != "first write")
        {
            await storage.WriteStateAsync("s", grain, state, Ct);
        }

        state.State = new TestState("b", 2m, 2);
        proxy.HoldReplyTo(statementText);
        var write = operation switch
        {
            "clear" => storage.ClearStateAsync("s", grain, state, Ct),
            "delete" => storage.DeleteStateAsync("s", grain, state, Ct),
            _ => storage.WriteStateAsync("s", grain, state, Ct),
        };
        await proxy.Held.WaitAsync(Ct); // the server has committed and answered
        proxy.Sever();

        await write;

        var stored = new GrainState<TestState>(new TestState("", 0m, 0));
        await storage.ReadStateAsync("s", grain, stored, Ct);
        (bool, string?, string?) expected = operation switch
        {
            "write" => (true, VersionETag.Format(2), VersionETag.Format(2)),
            "first write" => (true, VersionETag.Format(1), VersionETag.Format(1)),
            _ => (false, null, null),
        };
        Assert.Equal(expected, (stored.RecordExists, stored.ETag, state.ETag));
        if (stored.RecordExists)
        {
            Assert.Equal(new TestState("b", 2m, 2), stored.State);
        }

        // The grain goes on from its own write.
        state.State = new TestState("c", 3m, 3);
        await storage.WriteStateAsync("s", grain, state, Ct);
    }

    /// <summary>
    /// Guard: the second run of a conditional write whose first run did not commit, against a record another writer
    /// changed meanwhile, is the conflict it always was (with the stored version), not a success.
    /// </summary>
    [Fact]
    public async Task AConditionalWrite_RunAgainAfterADrop_StillConflictsWithAnotherWritersRecord()
    {
        var session = NewApplicationName();
        await using var database = Open(session);
        var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance);
        await storage.InitializeAsync(Ct);
        var grain = GrainId.Create("Tests.DropThenConflict", Guid.NewGuid().ToString("N"));
        var state = new GrainState<TestState>(new TestState("a", 1m, 1));
        await storage.WriteStateAsync("s", grain, state, Ct);
        var stale = new GrainState<TestState>(new TestState("b", 2m, 2)) { ETag = state.ETag, RecordExists = true };
        await storage.WriteStateAsync("s", grain, state, Ct); // version 2, payload "a"
        await FillPoolAsync(database, 2);
        Assert.Equal(2, await fixture.TerminateSessionsAsync(session));

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", grain, stale, Ct));

        Assert.Equal((VersionETag.Format(2), VersionETag.Format(1)), (conflict.StoredETag, conflict.CurrentETag));
    }

    /// <summary>
    /// The server ran the append's inserts (and moved the stream's sequence counter) and the session ended before the
    /// COMMIT was sent: the server rolled all of it back, so the append runs again whole and its events are stored once,
    /// under the stream's first sequences.
    /// </summary>
    [Fact]
    public async Task AnAppend_WhoseSessionEndedBeforeItsCommit_RunsAgain_AndStoresItsEventsOnce()
    {
        await using var proxy = new ReplyHoldingProxy(fixture.ConnectionString);
        var options = fixture.Options("append_dropped");
        options.ConnectionString = proxy.ConnectionString;
        await using var database = new PostgresDatabase(options);
        var log = new PostgresDurableStreamLog(database);
        await log.InitializeAsync(Ct);
        var stream = StreamId.Create("pg-append-dropped", Guid.NewGuid().ToString("N"));

        proxy.HoldReplyTo("RETURNING position, sequence");
        var append = log.AppendAsync(stream, [new ReadOnlyMemory<byte>([7]), new ReadOnlyMemory<byte>([8])], DateTimeOffset.UnixEpoch, Ct);
        await proxy.Held.WaitAsync(Ct); // the inserts ran, in a transaction not yet committed
        proxy.Sever();

        var appended = await append;

        Assert.Equal([(1L, (byte)7), (2L, (byte)8)], appended.Select(e => (e.Sequence, e.Payload.Span[0])));
        var events = await log.ReadStreamAsync(stream, 0, 10, Ct);
        Assert.Equal([(1L, (byte)7), (2L, (byte)8)], events.Select(e => (e.Sequence, e.Payload.Span[0])));
        Assert.Equal(appended.Select(e => e.Position), events.Select(e => e.Position));
    }

    /// <summary>
    /// Guard: an append whose session ends during its COMMIT may have committed, and a second run would store its events
    /// again under new sequences; it fails instead, and the events are stored once.
    /// </summary>
    [Fact]
    public async Task AnAppend_WhoseSessionEndedDuringItsCommit_FailsAndIsNotRunAgain()
    {
        await using var proxy = new ReplyHoldingProxy(fixture.ConnectionString);
        var options = fixture.Options("commit_dropped");
        options.ConnectionString = proxy.ConnectionString;
        await using var database = new PostgresDatabase(options);
        var log = new PostgresDurableStreamLog(database);
        await log.InitializeAsync(Ct);
        var stream = StreamId.Create("pg-commit-dropped", Guid.NewGuid().ToString("N"));

        proxy.HoldReplyTo("COMMIT\0"); // the COMMIT query itself, not the BEGIN's READ COMMITTED
        var append = log.AppendAsync(stream, [new ReadOnlyMemory<byte>([7])], DateTimeOffset.UnixEpoch, Ct);
        await proxy.Held.WaitAsync(Ct);
        proxy.Sever();

        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => append);
        Assert.True(PostgresDatabase.IsDroppedConnection(error));
        var events = await log.ReadStreamAsync(stream, 0, 10, Ct);
        Assert.Equal([(1L, (byte)7)], events.Select(e => (e.Sequence, e.Payload.Span[0])));
    }

    private static string NewApplicationName() => "session-drop-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A database (and pool) of its own whose sessions carry <paramref name="applicationName"/>.</summary>
    private PostgresDatabase Open(string applicationName, TimeProvider? clock = null)
    {
        var options = fixture.Options("session_drop");
        options.ConnectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString) { ApplicationName = applicationName }.ConnectionString;
        return new PostgresDatabase(options) { Clock = clock ?? TimeProvider.System };
    }

    /// <summary>Opens <paramref name="count"/> sessions at once and returns them, so the pool holds that many idle.</summary>
    private static async Task FillPoolAsync(PostgresDatabase database, int count)
    {
        var connections = new List<NpgsqlConnection>();
        for (var i = 0; i < count; i++)
        {
            connections.Add(await database.OpenConnectionAsync(Ct));
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }
}
