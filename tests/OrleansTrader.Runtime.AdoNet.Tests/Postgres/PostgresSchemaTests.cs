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
