using System.Globalization;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// Records written once and cleared later under ever new names (an account's history pages, trade pages) must give
/// their space back: a silo that keeps a bounded number of them must keep a bounded file.
/// </summary>
public sealed class SqliteGrainStorageSpaceTests(SqliteFileFixture fixture) : IClassFixture<SqliteFileFixture>
{
    private const int RecordsPerRound = 200;
    private const int RecordsRetained = 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ClearStateAsync_GivesAClearedRecordsPagesBack_SoRecordsRetainedByNameDoNotGrowTheFile()
    {
        var database = fixture.Open();
        var storage = new SqliteGrainStorage(database, TestJsonSerializer.Instance);
        await storage.InitializeAsync(Ct);
        var grain = GrainId.Create("Tests.Space" + Guid.NewGuid().ToString("N"), "acct");

        // About 3 KB each, as a history page: one record fills most of a 4 KiB page.
        var payload = new TestState(new string('x', 3000), 1m, 1);
        var next = 0;

        // As an account keeps its newest history pages: each new record clears the oldest one retained.
        var retained = new Queue<(string Name, GrainState<TestState> State)>();

        async Task WriteAndClearRoundAsync()
        {
            for (var i = 0; i < RecordsPerRound; i++, next++)
            {
                var name = "page-" + next.ToString(CultureInfo.InvariantCulture);
                var state = new GrainState<TestState>(payload);
                await storage.WriteStateAsync(name, grain, state, Ct);
                retained.Enqueue((name, state));
                if (retained.Count > RecordsRetained)
                {
                    var (oldestName, oldest) = retained.Dequeue();
                    await storage.ClearStateAsync(oldestName, grain, oldest, Ct);
                }
            }
        }

        await WriteAndClearRoundAsync();
        var usedAfterFirstRound = await UsedPagesAsync(database);
        await WriteAndClearRoundAsync();
        var usedAfterSecondRound = await UsedPagesAsync(database);

        // A cleared record leaves a tombstone of a few dozen bytes (its name and version); 200 of them fit in a few pages.
        // A tombstone that stays alone on the page its record filled holds a page per record: 200 pages a round.
        Assert.True(
            usedAfterSecondRound - usedAfterFirstRound < RecordsPerRound / 4,
            $"{RecordsPerRound} records written and cleared took {usedAfterSecondRound - usedAfterFirstRound} more pages in use " +
            $"({usedAfterFirstRound} -> {usedAfterSecondRound}).");
    }

    /// <summary>Pages of the file in use: its pages less the free ones, as the reading connection sees the database.</summary>
    private static async Task<long> UsedPagesAsync(SqliteDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count());";
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
