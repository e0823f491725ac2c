namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// The trim statement's plan in SQLite: each stream's old events are found through its age index, so a trim costs
/// what it deletes, not a walk over every retained event (seconds per trim at millions of events); a chunk resumes at
/// the stream the previous one stopped in, so a run probes each stream about once, not once per chunk.
/// </summary>
public sealed class SqliteStreamLogTrimPlanTests(SqliteFileFixture fixture) : IClassFixture<SqliteFileFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Trim_SearchesOnlyOldEventsPerStream_ThroughTheAgeIndex_AlsoInALogCreatedWithoutIt()
    {
        var database = fixture.Open();
        var tables = new SqliteTables(database.TablePrefix);
        await using (var connection = await database.OpenConnectionAsync(Ct))
        {
            // The events table as earlier versions created it: starting the log must add the index.
            await using var create = connection.CreateCommand();
            create.CommandText = $"""
                CREATE TABLE {tables.StreamEvents} (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    stream_namespace TEXT NOT NULL,
                    stream_key TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    payload BLOB NOT NULL,
                    timestamp_ticks INTEGER NOT NULL,
                    UNIQUE (stream_namespace, stream_key, sequence)
                );
                """;
            await create.ExecuteNonQueryAsync(Ct);
        }

        await new SqliteDurableStreamLog(database).InitializeAsync(Ct);
        var plan = await QueryPlanAsync(database, tables);

        Assert.Contains("SEARCH e USING INDEX ix_stream_events_stream_time (stream_namespace=? AND stream_key=? AND timestamp_ticks<?)", plan);
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN e", StringComparison.Ordinal) || line.StartsWith("SCAN stream_events", StringComparison.Ordinal));

        // Each chunk resumes at the stream the last one stopped in and takes streams in key order straight off the
        // checkpoints' primary key: no sort (nor materialized set) of every stream after it, probed per chunk.
        Assert.Contains("SEARCH c USING PRIMARY KEY ((stream_namespace,stream_key)>(?,?))", plan);
        Assert.DoesNotContain(plan, line => line.StartsWith("USE TEMP B-TREE", StringComparison.Ordinal) || line.StartsWith("MATERIALIZE", StringComparison.Ordinal));
    }

    private static async Task<IReadOnlyList<string>> QueryPlanAsync(SqliteDatabase database, SqliteTables t)
    {
        var trim = new StreamLogStatements(t.StreamEvents, t.StreamCheckpoints, t.StreamDeadLetters, t.StreamSubscriptions, postgreSql: false).Trim;
        await using var connection = await database.OpenConnectionAsync(Ct);
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + trim;
        explain.Parameters.AddWithValue("@ns", "plan");
        explain.Parameters.AddWithValue("@key", "k1");
        explain.Parameters.AddWithValue("@cutoff", 1_000L);
        explain.Parameters.AddWithValue("@max", StreamLogSql.TrimChunkRows);
        await using var reader = await explain.ExecuteReaderAsync(Ct);
        var plan = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }
}
