using System.Globalization;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// The behaviour every <see cref="IGrainStorage"/> must have. Subclass it once per provider and return a storage
/// over a store private to the test class; each test uses its own grain type, so tests never see each other's rows.
/// </summary>
public abstract class GrainStorageContractTests
{
    private const string StateName = "state";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Returns a ready storage (tables created). May call Assert.Skip when the backing store is unavailable.</summary>
    protected abstract Task<IGrainStorage> CreateStorageAsync();

    /// <summary>The rows (records and tombstones) <paramref name="storage"/> holds for <paramref name="grain"/>.</summary>
    protected abstract Task<long> CountRowsAsync(IGrainStorage storage, GrainId grain);

    [Fact]
    public async Task ReadStateAsync_ReportsNoRecordAndKeepsState_WhenMissing()
    {
        var storage = await CreateStorageAsync();
        var initial = new TestState("initial", 1m, 1);
        var state = new GrainState<TestState>(initial);

        await storage.ReadStateAsync(StateName, NewGrain(), state, Ct);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Same(initial, state.State);
    }

    [Fact]
    public async Task WriteStateAsync_RoundTripsState_WhenReadBack()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var written = new GrainState<TestState>(new TestState("written", 12.345m, 42));

        await storage.WriteStateAsync(StateName, grain, written, Ct);
        var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await storage.ReadStateAsync(StateName, grain, read, Ct);

        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(new TestState("written", 12.345m, 42), read.State);
    }

    [Fact]
    public async Task WriteStateAsync_IncrementsIntegerETag_OnEachWrite()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState("v", 0m, 0));

        var versions = new List<long>();
        for (var i = 1; i <= 3; i++)
        {
            state.State = state.State with { Count = i };
            await storage.WriteStateAsync(StateName, grain, state, Ct);
            versions.Add(long.Parse(state.ETag!, CultureInfo.InvariantCulture));
        }

        Assert.Equal([versions[0], versions[0] + 1, versions[0] + 2], versions);
    }

    [Fact]
    public async Task WriteStateAsync_ThrowsWithVersions_WhenETagIsStale()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var first = new GrainState<TestState>(new TestState("a", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, first, Ct);
        var stale = new GrainState<TestState>(new TestState("b", 2m, 2)) { ETag = first.ETag, RecordExists = true };
        await storage.WriteStateAsync(StateName, grain, first, Ct);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, stale, Ct));

        Assert.Equal(first.ETag, error.StoredETag);
        Assert.Equal(stale.ETag, error.CurrentETag);
        var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await storage.ReadStateAsync(StateName, grain, read, Ct);
        Assert.Equal(new TestState("a", 1m, 1), read.State);
    }

    [Fact]
    public async Task WriteStateAsync_Throws_WhenFirstWriteFindsExistingRecord()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var existing = new GrainState<TestState>(new TestState("existing", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, existing, Ct);
        var newcomer = new GrainState<TestState>(new TestState("newcomer", 2m, 2));

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, newcomer, Ct));

        Assert.Equal(existing.ETag, error.StoredETag);
        Assert.Null(error.CurrentETag);
    }

    [Fact]
    public async Task WriteStateAsync_Throws_WhenETagIsNotAVersion()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState("a", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, state, Ct);
        var bogus = new GrainState<TestState>(new TestState("b", 2m, 2)) { ETag = "1 OR 1=1", RecordExists = true };

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, bogus, Ct));

        Assert.Equal(state.ETag, error.StoredETag);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WriteStateAsync_LetsExactlyOneWriterWin_WhenWritersShareETag(bool recordExists)
    {
        const int Writers = 12;
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        string? eTag = null;
        if (recordExists)
        {
            var seed = new GrainState<TestState>(new TestState("seed", 0m, 0));
            await storage.WriteStateAsync(StateName, grain, seed, Ct);
            eTag = seed.ETag;
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(1, Writers).Select(async i =>
        {
            await start.Task;
            var state = new GrainState<TestState>(new TestState("writer", i, i)) { ETag = eTag, RecordExists = recordExists };
            try
            {
                await storage.WriteStateAsync(StateName, grain, state, Ct);
                return (Won: true, Count: (long)i);
            }
            catch (InconsistentStateException)
            {
                return (Won: false, Count: (long)i);
            }
        }).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(writers);

        var winners = outcomes.Where(o => o.Won).ToList();
        Assert.Single(winners);
        var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await storage.ReadStateAsync(StateName, grain, read, Ct);
        Assert.Equal(winners[0].Count, read.State.Count);
    }

    [Fact]
    public async Task ClearStateAsync_RemovesRecord_WhenETagMatches()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState("doomed", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, state, Ct);

        await storage.ClearStateAsync(StateName, grain, state, Ct);
        var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await storage.ReadStateAsync(StateName, grain, read, Ct);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(new TestState("empty", 0m, 0), read.State);
    }

    [Fact]
    public async Task ClearStateAsync_ThrowsAndKeepsRecord_WhenETagIsStale()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState("kept", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, state, Ct);
        var stale = new GrainState<TestState>(state.State) { ETag = state.ETag, RecordExists = true };
        await storage.WriteStateAsync(StateName, grain, state, Ct);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grain, stale, Ct));

        Assert.Equal(state.ETag, error.StoredETag);
        var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await storage.ReadStateAsync(StateName, grain, read, Ct);
        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task ClearStateAsync_Throws_WhenETagIsNullButRecordExists()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState("kept", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, state, Ct);
        var unaware = new GrainState<TestState>(new TestState("empty", 0m, 0));

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grain, unaware, Ct));
    }

    [Fact]
    public async Task ClearStateAsync_Succeeds_WhenNothingStoredAndETagIsNull()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState("never written", 0m, 0));

        await storage.ClearStateAsync(StateName, grain, state, Ct);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
    }

    [Fact]
    public async Task WriteStateAsync_StartsNewRecord_AfterClear()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState("first life", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, state, Ct);
        await storage.ClearStateAsync(StateName, grain, state, Ct);

        state.State = new TestState("second life", 2m, 2);
        await storage.WriteStateAsync(StateName, grain, state, Ct);
        var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await storage.ReadStateAsync(StateName, grain, read, Ct);

        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal(new TestState("second life", 2m, 2), read.State);
    }

    [Fact]
    public async Task WriteStateAsync_Throws_WhenETagPredatesClearAndRewrite()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var owner = new GrainState<TestState>(new TestState("first life", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, owner, Ct);
        var stale = new GrainState<TestState>(new TestState("stale writer", 9m, 9)) { ETag = owner.ETag, RecordExists = true };
        await storage.ClearStateAsync(StateName, grain, owner, Ct);
        owner.State = new TestState("second life", 2m, 2);
        await storage.WriteStateAsync(StateName, grain, owner, Ct);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, stale, Ct));

        var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await storage.ReadStateAsync(StateName, grain, read, Ct);
        Assert.Equal(new TestState("second life", 2m, 2), read.State);
    }

    [Fact]
    public async Task ClearStateAsync_KeepsATombstone_SoTheVersionGoesOn()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState("first life", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, state, Ct);
        await storage.ClearStateAsync(StateName, grain, state, Ct);

        Assert.Equal(1, await CountRowsAsync(storage, grain));
        await storage.WriteStateAsync(StateName, grain, state, Ct);
        Assert.Equal(VersionETag.Format(3), state.ETag);
    }

    [Fact]
    public async Task DeleteStateAsync_RemovesTheRowTombstoneAndAll_WhenETagMatches()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState("page", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, state, Ct);
        await storage.WriteStateAsync("other", grain, new GrainState<TestState>(new TestState("kept", 2m, 2)), Ct);

        await storage.DeleteStateAsync(StateName, grain, state, Ct);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(1, await CountRowsAsync(storage, grain));
        var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await storage.ReadStateAsync(StateName, grain, read, Ct);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(new TestState("kept", 2m, 2), await ReadAsync(storage, grain, "other"));
    }

    [Fact]
    public async Task WriteStateAsync_Throws_WhenETagPredatesDelete()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var owner = new GrainState<TestState>(new TestState("page", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, owner, Ct);
        var stale = new GrainState<TestState>(new TestState("stale writer", 9m, 9)) { ETag = owner.ETag, RecordExists = true };
        await storage.DeleteStateAsync(StateName, grain, owner, Ct);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, stale, Ct));

        Assert.Null(error.StoredETag);
        Assert.Equal(0, await CountRowsAsync(storage, grain));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.DeleteStateAsync(StateName, grain, stale, Ct));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grain, stale, Ct));
        Assert.Equal(0, await CountRowsAsync(storage, grain));
    }

    [Fact]
    public async Task DeleteStateAsync_ThrowsAndKeepsRecord_WhenETagIsStaleOrNull()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState("kept", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, state, Ct);
        var stale = new GrainState<TestState>(state.State) { ETag = state.ETag, RecordExists = true };
        await storage.WriteStateAsync(StateName, grain, state, Ct);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.DeleteStateAsync(StateName, grain, stale, Ct));
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.DeleteStateAsync(StateName, grain, new GrainState<TestState>(new TestState("unaware", 0m, 0)), Ct));

        Assert.Equal(state.ETag, error.StoredETag);
        Assert.Equal(state.State, await ReadAsync(storage, grain, StateName));
        Assert.Equal(1, await CountRowsAsync(storage, grain));
    }

    [Fact]
    public async Task DeleteStateAsync_RemovesATombstone_WhenETagIsNull()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState("page", 1m, 1));
        await storage.WriteStateAsync(StateName, grain, state, Ct);
        await storage.ClearStateAsync(StateName, grain, state, Ct);

        await storage.DeleteStateAsync(StateName, grain, state, Ct);
        await storage.DeleteStateAsync("never written", grain, new GrainState<TestState>(new TestState("none", 0m, 0)), Ct);

        Assert.Equal(0, await CountRowsAsync(storage, grain));
    }

    [Fact]
    public async Task WriteStateAsync_KeepsKeysApart_WhenTheyDifferOnlyByLeadingZero()
    {
        var storage = await CreateStorageAsync();
        var type = NewType();
        await WriteAsync(storage, GrainId.Create(type, "020235"), StateName, new TestState("with zero", 1m, 1));
        await WriteAsync(storage, GrainId.Create(type, "20235"), StateName, new TestState("without zero", 2m, 2));

        Assert.Equal(new TestState("with zero", 1m, 1), await ReadAsync(storage, GrainId.Create(type, "020235"), StateName));
        Assert.Equal(new TestState("without zero", 2m, 2), await ReadAsync(storage, GrainId.Create(type, "20235"), StateName));
    }

    [Fact]
    public async Task WriteStateAsync_KeepsGrainTypesApart_WhenKeysAreEqual()
    {
        var storage = await CreateStorageAsync();
        var typeA = NewType();
        var typeB = NewType();
        await WriteAsync(storage, GrainId.Create(typeA, "ACC-1"), StateName, new TestState("a", 1m, 1));
        await WriteAsync(storage, GrainId.Create(typeB, "ACC-1"), StateName, new TestState("b", 2m, 2));

        Assert.Equal(new TestState("a", 1m, 1), await ReadAsync(storage, GrainId.Create(typeA, "ACC-1"), StateName));
        Assert.Equal(new TestState("b", 2m, 2), await ReadAsync(storage, GrainId.Create(typeB, "ACC-1"), StateName));
    }

    [Fact]
    public async Task WriteStateAsync_KeepsStateNamesApart_ForOneGrain()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        await WriteAsync(storage, grain, "account", new TestState("account", 1m, 1));
        await WriteAsync(storage, grain, "journal", new TestState("journal", 2m, 2));

        Assert.Equal(new TestState("account", 1m, 1), await ReadAsync(storage, grain, "account"));
        Assert.Equal(new TestState("journal", 2m, 2), await ReadAsync(storage, grain, "journal"));
    }

    [Theory]
    [InlineData("ünïcødé-日本語-📈")]
    [InlineData("acct/sub/strategy\\x")]
    [InlineData("O'Brien \"quoted\" `back`")]
    [InlineData("'; DROP TABLE grain_state; --")]
    [InlineData("% _ * ? [a-z] $1 @key :name")]
    [InlineData("  padded  ")]
    [InlineData("")]
    public async Task WriteStateAsync_RoundTripsUnchanged_WhenKeyHasSpecialCharacters(string key)
    {
        var storage = await CreateStorageAsync();
        var type = NewType();
        var grain = GrainId.Create(type, key);
        var stateName = "state " + key;
        await WriteAsync(storage, grain, stateName, new TestState(key, 1m, 1));
        await WriteAsync(storage, GrainId.Create(type, key.Trim() + "x"), stateName, new TestState("neighbour", 2m, 2));

        Assert.Equal(new TestState(key, 1m, 1), await ReadAsync(storage, grain, stateName));
    }

    [Fact]
    public async Task ReadRecordsAsync_ReturnsEachRecordAsReadRecordAsyncDoes_InTheOrderAsked()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var first = await WritePageAsync(storage, grain, "page-1", 1);
        await WritePageAsync(storage, grain, "page-2", 2);
        var cleared = await WritePageAsync(storage, grain, "page-3", 3);
        await storage.ClearStateAsync("page-3", grain, cleared, Ct);
        var deleted = await WritePageAsync(storage, grain, "page-4", 4);
        await storage.DeleteStateAsync("page-4", grain, deleted, Ct);
        await storage.WriteStateAsync("page-1", grain, first, Ct);
        await WritePageAsync(storage, GrainId.Create(grain.Type.Value, "other key"), "page-5", 5);
        await WritePageAsync(storage, GrainId.Create(NewType(), grain.Key), "page-5", 5);
        string[] names = ["page-2", "page-5", "page-1", "page-3", "never written", "page-4", "page-2"];

        var records = await storage.ReadRecordsAsync<PageState>(names, grain, Ct);

        Assert.Equal(names.Length, records.Count);
        Assert.Equal([2, 0, 1, 0, 0, 0, 2], records.Select(r => r.State.Number));
        Assert.Equal([true, false, true, false, false, false, true], records.Select(r => r.RecordExists));
        Assert.Equal(first.ETag, records[2].ETag);
        for (var i = 0; i < names.Length; i++)
        {
            var single = await storage.ReadRecordAsync<PageState>(names[i], grain, Ct);
            Assert.Equal((single.ETag, single.RecordExists, single.State.Number), (records[i].ETag, records[i].RecordExists, records[i].State.Number));
        }

        // A name asked twice comes back as two records: changing one leaves the other as read.
        Assert.NotSame(records[0], records[^1]);
        Assert.NotSame(records[0].State, records[^1].State);
        Assert.Empty(await storage.ReadRecordsAsync<PageState>([], grain, Ct));
    }

    [Fact]
    public async Task ReadRecordsAsync_RecordsCanBeWrittenBack_WithTheirETags()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var written = await WritePageAsync(storage, grain, "page-1", 1);
        var tombstone = await WritePageAsync(storage, grain, "page-2", 2);
        await storage.ClearStateAsync("page-2", grain, tombstone, Ct);

        string[] names = ["page-1", "page-2", "page-3"];

        var records = await storage.ReadRecordsAsync<PageState>(names, grain, Ct);
        for (var i = 0; i < names.Length; i++)
        {
            records[i].State.Number += 10;
            await storage.WriteStateAsync(names[i], grain, records[i], Ct);
        }

        var stale = new GrainState<PageState>(new PageState { Number = 99 }) { ETag = written.ETag, RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("page-1", grain, stale, Ct));
        var reread = await storage.ReadRecordsAsync<PageState>(names, grain, Ct);
        Assert.Equal([11, 10, 10], reread.Select(r => r.State.Number));
        Assert.Equal(records.Select(r => r.ETag), reread.Select(r => r.ETag));
    }

    [Fact]
    public async Task ReadRecordsAsync_ReadsManyNames_AcrossChunksInOrder()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        for (var page = 0; page < 700; page += 3)
        {
            await WritePageAsync(storage, grain, Page(page), page);
        }

        var names = Enumerable.Range(0, 700).Reverse().Select(Page).ToList();
        var records = await storage.ReadRecordsAsync<PageState>(names, grain, Ct);

        Assert.Equal(names.Count, records.Count);
        for (var i = 0; i < names.Count; i++)
        {
            var page = 699 - i;
            Assert.Equal(page % 3 == 0, records[i].RecordExists);
            Assert.Equal(page % 3 == 0 ? page : 0, records[i].State.Number);
            Assert.Equal(page % 3 == 0, records[i].ETag is not null);
        }

        static string Page(int page) => "history-" + page.ToString(CultureInfo.InvariantCulture);
    }

    protected static string NewType() => "Tests.Grain" + Guid.NewGuid().ToString("N");

    private static async Task<GrainState<PageState>> WritePageAsync(IGrainStorage storage, GrainId grain, string stateName, int number)
    {
        var state = new GrainState<PageState>(new PageState { Number = number });
        await storage.WriteStateAsync(stateName, grain, state, Ct);
        return state;
    }

    private static GrainId NewGrain() => GrainId.Create(NewType(), "key");

    private static async Task WriteAsync(IGrainStorage storage, GrainId grain, string stateName, TestState value)
    {
        var state = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await storage.ReadStateAsync(stateName, grain, state, Ct);
        state.State = value;
        await storage.WriteStateAsync(stateName, grain, state, Ct);
    }

    private static async Task<TestState> ReadAsync(IGrainStorage storage, GrainId grain, string stateName)
    {
        var state = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await storage.ReadStateAsync(stateName, grain, state, Ct);
        Assert.True(state.RecordExists);
        return state.State;
    }
}
