using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class PostgresSchemaTests(PostgresDatabaseFixture fixture) : IClassFixture<PostgresDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Schema_KeepsDeploymentsApart_AndIsCreatedWhenMissing()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var grain = GrainId.Create("Tests.Account", "ACC-1");
        var blue = new PostgresGrainStorage(fixture.Open("blue_" + suffix), TestJsonSerializer.Instance);
        var green = new PostgresGrainStorage(fixture.Open("green_" + suffix), TestJsonSerializer.Instance);

        await blue.WriteStateAsync("s", grain, new GrainState<TestState>(new TestState("blue", 1m, 1)), Ct);
        var greenRead = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await green.ReadStateAsync("s", grain, greenRead, Ct);

        Assert.False(greenRead.RecordExists);
        Assert.Equal(["blue_" + suffix], await TableSchemasAsync("grain_state", "blue_" + suffix));
        Assert.Equal(["green_" + suffix], await TableSchemasAsync("grain_state", "green_" + suffix));
    }

    [Fact]
    public async Task InitializeAsync_Succeeds_WhenManyProvidersCreateTheSchemaAtOnce()
    {
        var schema = "race_" + Guid.NewGuid().ToString("N")[..8];
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var initializers = Enumerable.Range(0, 6).Select(async i =>
        {
            await start.Task;
            var database = fixture.Open(schema);
            var initialize = (i % 3) switch
            {
                0 => new PostgresGrainStorage(database, TestJsonSerializer.Instance).InitializeAsync(Ct),
                1 => new PostgresReminderTable(database).InitializeAsync(Ct),
                _ => new PostgresDurableStreamLog(database).InitializeAsync(Ct),
            };
            await initialize;
        }).ToList();

        start.SetResult();
        await Task.WhenAll(initializers);

        Assert.Equal([schema], await TableSchemasAsync("stream_events", schema));
        Assert.Equal([schema], await TableSchemasAsync("reminders", schema));
    }

    /// <summary>
    /// A schema named by a keyword works (its name was sent unquoted: "syntax error at or near"), and one in mixed case is
    /// still the lower-case schema PostgreSQL folded it to, so a store created before the quoting is found again.
    /// </summary>
    [Fact]
    public async Task Schema_NamedByAKeywordOrInMixedCase_HoldsTheTables()
    {
        var grain = GrainId.Create("Tests.Account", "ACC-1");
        var mixed = "Mixed_" + Guid.NewGuid().ToString("N")[..8];
        foreach (var schema in new[] { "order", mixed })
        {
            var database = fixture.Open(schema);
            var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance);
            await storage.WriteStateAsync("s", grain, new GrainState<TestState>(new TestState(schema, 1m, 1)), Ct);
            var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
            await storage.ReadStateAsync("s", grain, read, Ct);
            Assert.Equal(schema, read.State.Name);

            var log = new PostgresDurableStreamLog(database);
            var stream = new StreamId("fills", "ACC-1");
            await log.AppendAsync(stream, [new byte[] { 1 }], DateTimeOffset.UnixEpoch, Ct);
            Assert.Single(await log.ReadStreamAsync(stream, 0, 10, Ct));
            await new PostgresReminderTable(database).UpsertRowAsync(
                new ReminderEntry { GrainId = grain, ReminderName = "r", StartAt = DateTimeOffset.UnixEpoch, Period = TimeSpan.FromMinutes(1) }, Ct);
            await using var lease = new PostgresSiloLease(fixture.Options(schema), "app--r1", NullLogger.Instance);
            await lease.AcquireAsync(Ct);
        }

        Assert.Equal(["order"], await TableSchemasAsync("stream_events", "order"));
        Assert.Equal([mixed.ToLowerInvariant()], await TableSchemasAsync("grain_state", mixed.ToLowerInvariant()));
        Assert.Equal([mixed.ToLowerInvariant()], await TableSchemasAsync("ot_silo_deployments", mixed.ToLowerInvariant()));
    }

    /// <summary>
    /// A login other than the one that created the tables, granted every right on them and their sequences (what the
    /// silo's start failure advises) but not CREATE on the schema or the database: the providers and the lease start and
    /// work on the existing tables. The schema set-up's CREATE ... IF NOT EXISTS needs that right even when nothing is
    /// missing, so such a role never started.
    /// </summary>
    [Fact]
    public async Task Providers_StartOnExistingTables_ForARoleThatMayUseThemButNotCreateThem()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var schema = "granted_" + suffix;
        var owner = fixture.Open(schema);
        await new PostgresGrainStorage(owner, TestJsonSerializer.Instance).InitializeAsync(Ct);
        await new PostgresReminderTable(owner).InitializeAsync(Ct);
        await new PostgresDurableStreamLog(owner).InitializeAsync(Ct);
        await using (var ownerLease = new PostgresSiloLease(fixture.Options(schema), deploymentId: null, NullLogger.Instance))
        {
            await ownerLease.AcquireAsync(Ct);
        }

        var role = "ot_user_" + suffix;
        await ExecuteAsAdminAsync($"""
            CREATE ROLE {role} LOGIN PASSWORD 'role-password';
            GRANT USAGE ON SCHEMA {schema} TO {role};
            GRANT ALL ON ALL TABLES IN SCHEMA {schema} TO {role};
            GRANT ALL ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
            """);
        try
        {
            var options = fixture.Options(schema);
            options.ConnectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString) { Username = role, Password = "role-password" }.ConnectionString;
            await using (var lease = new PostgresSiloLease(options, "app--r1", NullLogger.Instance))
            {
                await lease.AcquireAsync(Ct);
                Assert.True(lease.IsHeld);
            }

            await using var database = new PostgresDatabase(options);
            var grain = GrainId.Create("Tests.Account", "ACC-1");
            var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance);
            await storage.WriteStateAsync("s", grain, new GrainState<TestState>(new TestState("granted", 1.50m, 1)), Ct);
            var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
            await storage.ReadStateAsync("s", grain, read, Ct);
            Assert.Equal(new TestState("granted", 1.50m, 1), read.State);

            var log = new PostgresDurableStreamLog(database);
            var stream = new StreamId("fills", "ACC-1");
            await log.AppendAsync(stream, [new byte[] { 1, 2, 3 }], DateTimeOffset.UnixEpoch, Ct);
            Assert.Equal(1, Assert.Single(await log.ReadStreamAsync(stream, 0, 10, Ct)).Sequence);

            var reminders = new PostgresReminderTable(database);
            await reminders.UpsertRowAsync(new ReminderEntry { GrainId = grain, ReminderName = "r", StartAt = DateTimeOffset.UnixEpoch, Period = TimeSpan.FromMinutes(1) }, Ct);
            Assert.NotNull(await reminders.ReadRowAsync(grain, "r", Ct));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsAdminAsync($"DROP OWNED BY {role}; DROP ROLE {role};");
        }
    }

    /// <summary>
    /// A store of an earlier build lacks an index a later one added: the set-up, which skips only when every table and
    /// index is there, still creates it.
    /// </summary>
    [Fact]
    public async Task InitializeAsync_CreatesAnIndexMissingFromAnExistingLog()
    {
        var schema = "upgrade_" + Guid.NewGuid().ToString("N")[..8];
        var database = fixture.Open(schema);
        await new PostgresDurableStreamLog(database).InitializeAsync(Ct);
        await ExecuteAsAdminAsync($"DROP INDEX {schema}.ix_stream_events_stream_time; DROP INDEX {schema}.ix_stream_dead_letters_stream;");

        await new PostgresDurableStreamLog(database).InitializeAsync(Ct);

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_indexes WHERE schemaname = @schema AND indexname = ANY(@names);", connection) { CommandTimeout = 30 };
        command.Parameters.AddWithValue("schema", schema);
        command.Parameters.AddWithValue("names", new[] { "ix_stream_events_stream_time", "ix_stream_dead_letters_stream" });
        Assert.Equal(2L, await command.ExecuteScalarAsync(Ct));
    }

    private async Task ExecuteAsAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 30 };
        await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<IReadOnlyList<string>> TableSchemasAsync(string table, string? onlySchema = null)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = @table AND (@schema::text IS NULL OR table_schema = @schema) ORDER BY table_schema;",
            connection)
        { CommandTimeout = 30 };
        command.Parameters.AddWithValue("table", table);
        command.Parameters.Add(new NpgsqlParameter<string?>("schema", onlySchema));
        var schemas = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            schemas.Add(reader.GetString(0));
        }

        return schemas;
    }
}
