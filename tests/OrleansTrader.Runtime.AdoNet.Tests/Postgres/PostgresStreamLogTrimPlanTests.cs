using Npgsql;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// The trim statement's plan in PostgreSQL, on a log with statistics: each stream's old events are found through its
/// age index (an index condition on the stream and the time), not by walking every retained event, and a chunk
/// resumes at the stream the previous one stopped in, probing streams only until it is full.
/// </summary>
public sealed class PostgresStreamLogTrimPlanTests(PostgresDatabaseFixture fixture) : IClassFixture<PostgresDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Trim_SearchesOnlyOldEventsPerStream_ThroughTheAgeIndex()
    {
        var database = fixture.Open();
        var tables = new PostgresTables(database.Schema);
        await new PostgresDurableStreamLog(database).InitializeAsync(Ct);
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync(Ct);

        // 100 streams of 200 events, all acknowledged, the first two of each older than the cut-off.
        await ExecuteAsync(connection, $"""
            INSERT INTO {tables.StreamEvents} (stream_namespace, stream_key, sequence, payload, timestamp_ticks)
            SELECT 'plan', 'k' || s, q, '\x00'::bytea, CASE WHEN q <= 2 THEN q ELSE 1000000 + q END
            FROM generate_series(1, 200) q, generate_series(1, 100) s ORDER BY q, s;
            INSERT INTO {tables.StreamCheckpoints} (stream_namespace, stream_key, consumer_id, sequence)
            SELECT 'plan', 'k' || s, 'ledger', 200 FROM generate_series(1, 100) s;
            ANALYZE {tables.StreamEvents};
            ANALYZE {tables.StreamCheckpoints};
            ANALYZE {tables.StreamSubscriptions};
            """);
        var trim = new StreamLogStatements(
            tables.StreamEvents, tables.StreamCheckpoints, tables.StreamDeadLetters, tables.StreamSubscriptions, postgreSql: true).Trim;
        await using var explain = new NpgsqlCommand("EXPLAIN " + trim, connection) { CommandTimeout = 30 };
        explain.Parameters.AddWithValue("ns", "plan");
        explain.Parameters.AddWithValue("key", "k1");
        explain.Parameters.AddWithValue("cutoff", 1_000L);
        explain.Parameters.AddWithValue("max", StreamLogSql.TrimChunkRows);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                plan.Add(reader.GetString(0).Trim());
            }
        }

        var scan = plan.FindIndex(line => line.Contains("Index Scan using ix_stream_events_stream_time on", StringComparison.Ordinal));
        Assert.True(scan >= 0, "no scan of the age index in:\n" + string.Join('\n', plan));
        Assert.StartsWith("Index Cond: ((stream_namespace = ", plan[scan + 1]);
        Assert.Contains("(timestamp_ticks < ", plan[scan + 1]);
        Assert.DoesNotContain(plan, line => line.Contains("Seq Scan on stream_events", StringComparison.Ordinal));

        // Each chunk resumes at the stream the last one stopped in, and its streams come in key order into the probes,
        // which stop once the chunk is full: no sort above them that would probe every stream after the cursor.
        Assert.Contains(plan, line => line.Contains("ROW(stream_namespace, stream_key) >= ROW(", StringComparison.Ordinal));
        var chosen = plan.IndexOf("CTE chosen");
        Assert.True(chosen >= 0 && plan[chosen + 1].StartsWith("->  Limit", StringComparison.Ordinal) && plan[chosen + 2].StartsWith("->  Nested Loop", StringComparison.Ordinal),
            "the chunk's limit is not straight over the per-stream probes in:\n" + string.Join('\n', plan));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 60 };
        await command.ExecuteNonQueryAsync(Ct);
    }
}
