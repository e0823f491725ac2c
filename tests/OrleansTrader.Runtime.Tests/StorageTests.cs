using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

[Collection(ClusterCollection.Name)]
public sealed class StorageTests(ClusterFixture fixture)
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly IClusterClient _client = fixture.Cluster.Client;

    [Fact]
    public async Task StorageKeys_NeverReinterpretKeys_OrShareAcrossGrainTypes()
    {
        var suffix = Guid.NewGuid().ToString("N");
        var padded = "020235" + suffix;
        var unpadded = "20235" + suffix;

        await _client.GetGrain<ICounterAGrain>(padded).Add(7);
        await _client.GetGrain<ICounterBGrain>(padded).Add(3);

        Assert.Equal(7, await _client.GetGrain<ICounterAGrain>(padded).Get());
        Assert.Equal(3, await _client.GetGrain<ICounterBGrain>(padded).Get());
        Assert.Equal(-1, await _client.GetGrain<ICounterAGrain>(unpadded).SeenInActivate());
        Assert.Equal(0, await _client.GetGrain<ICounterAGrain>(unpadded).Get());
    }

    [Fact]
    public async Task ConcurrentWriters_SecondWriteWithStaleETag_Conflicts()
    {
        var storage = new MemoryGrainStorage();
        var grainId = GrainId.Create("counter-a", Guid.NewGuid().ToString("N"));
        var seed = new GrainState<CounterState>(new CounterState { Value = 1 });
        await storage.WriteStateAsync("counter", grainId, seed, Ct);
        var writerA = new GrainState<CounterState>(new CounterState());
        var writerB = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("counter", grainId, writerA, Ct);
        await storage.ReadStateAsync("counter", grainId, writerB, Ct);

        await storage.WriteStateAsync("counter", grainId, writerA, Ct);
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grainId, writerB, Ct));

        Assert.Equal("2", writerA.ETag);
        Assert.Equal("2", conflict.StoredETag);
        Assert.Equal("1", conflict.CurrentETag);
    }

    [Fact]
    public async Task FirstWrite_Conflicts_WhenRecordAlreadyExists()
    {
        var storage = new MemoryGrainStorage();
        var grainId = GrainId.Create("counter-a", "k");
        await storage.WriteStateAsync("counter", grainId, new GrainState<CounterState>(new CounterState()), Ct);

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync("counter", grainId, new GrainState<CounterState>(new CounterState()), Ct));
    }

    [Fact]
    public async Task SerializingStorage_KeepsOneCopyPerRecord_AndDisposeFreesIt()
    {
        var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        var grainId = GrainId.Create("counter-a", "k");
        var state = new GrainState<CounterState>(new CounterState());
        for (var i = 0; i < 100; i++)
        {
            state.State.Value = 1_000 + i;
            await storage.WriteStateAsync("counter", grainId, state, Ct);
        }

        // Each overwrite frees the bytes it replaces: one record's JSON ({"Value":1099}) is left, and a clear frees it.
        Assert.Equal(14, storage.StoredBytes);
        await storage.ClearStateAsync("counter", grainId, state, Ct);
        Assert.Equal(0, storage.StoredBytes);

        await storage.WriteStateAsync("counter", grainId, state, Ct);
        storage.Dispose();

        Assert.Equal(0, storage.StoredBytes);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.ReadStateAsync("counter", grainId, new GrainState<CounterState>(new CounterState()), Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.WriteStateAsync("counter", grainId, state, Ct));
    }

    [Fact]
    public async Task SerializingStorage_ReadersNeverSeeAPartlyWrittenOrFreedRecord_WhileWritersOverwriteIt()
    {
        using var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        var grainId = GrainId.Create("counter-a", "contended");
        await storage.WriteStateAsync("counter", grainId, new GrainState<CounterState>(new CounterState { Value = 1 }), Ct);

        // Writers overwrite the record (retrying on conflicts) while readers copy it out: every read must deserialize to
        // a value some writer wrote, with a version that never goes back.
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var mine = new GrainState<CounterState>(new CounterState());
                await storage.ReadStateAsync("counter", grainId, mine, Ct);
                mine.State.Value = 1 + (w * 100_000) + i;
                try
                {
                    await storage.WriteStateAsync("counter", grainId, mine, Ct);
                }
                catch (InconsistentStateException)
                {
                    // Another writer won this round.
                }
            }
        }, Ct));
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var lastVersion = 0L;
            for (var i = 0; i < 2_000; i++)
            {
                var seen = new GrainState<CounterState>(new CounterState());
                await storage.ReadStateAsync("counter", grainId, seen, Ct);
                Assert.True(seen.RecordExists);
                Assert.InRange(seen.State.Value, 1, 400_000);
                var version = long.Parse(seen.ETag!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(version >= lastVersion, $"version {version} after {lastVersion}");
                lastVersion = version;
            }
        }, Ct));

        await Task.WhenAll(writers.Concat(readers));
    }

    [Fact]
    public async Task SerializingStorage_OverwritesARecordInItsBlock_WhileItFits_AndGivesBackRoomItNoLongerNeeds()
    {
        using var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        var grainId = GrainId.Create("text", "k");
        var state = new GrainState<string>(new string('a', 1_000));
        await storage.WriteStateAsync("text", grainId, state, Ct);
        var block = storage.AllocatedBytes;
        Assert.InRange(block, 1_002, 1_300);

        // A little longer: written in the same block.
        state.State = new string('b', 1_010);
        await storage.WriteStateAsync("text", grainId, state, Ct);
        Assert.Equal(block, storage.AllocatedBytes);
        Assert.Equal(new string('b', 1_010), await ReadTextAsync(storage, grainId));

        // Much longer: a new block; much shorter again: a small one, not the large block kept.
        state.State = new string('c', 5_000);
        await storage.WriteStateAsync("text", grainId, state, Ct);
        Assert.InRange(storage.AllocatedBytes, 5_002, 6_000);
        Assert.Equal(new string('c', 5_000), await ReadTextAsync(storage, grainId));
        state.State = "d";
        await storage.WriteStateAsync("text", grainId, state, Ct);
        Assert.InRange(storage.AllocatedBytes, 3, 64);
        Assert.Equal(3, storage.StoredBytes);
        Assert.Equal("d", await ReadTextAsync(storage, grainId));
        Assert.Equal("4", state.ETag);
    }

    [Fact]
    public async Task SerializingStorage_ReadersSeeWholeRecords_WhileWritersGrowAndShrinkThem()
    {
        using var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        var grainId = GrainId.Create("text", "contended");
        await storage.WriteStateAsync("text", grainId, new GrainState<string>("a"), Ct);

        // Lengths jump between a few bytes and several kilobytes, so writes alternate between the record's block and new
        // ones; a record is one letter repeated, so a read of a block being replaced or overwritten would show.
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < 1_000; i++)
            {
                var mine = new GrainState<string>(string.Empty);
                await storage.ReadStateAsync("text", grainId, mine, Ct);
                mine.State = new string((char)('a' + w), random.Next(2) == 0 ? random.Next(1, 20) : random.Next(1_000, 8_000));
                try
                {
                    await storage.WriteStateAsync("text", grainId, mine, Ct);
                }
                catch (InconsistentStateException)
                {
                    // Another writer won this round.
                }
            }
        }, Ct));
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var lastVersion = 0L;
            for (var i = 0; i < 1_000; i++)
            {
                var seen = new GrainState<string>(string.Empty);
                await storage.ReadStateAsync("text", grainId, seen, Ct);
                Assert.NotEmpty(seen.State);
                Assert.All(seen.State, c => Assert.Equal(seen.State[0], c));
                var version = long.Parse(seen.ETag!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(version >= lastVersion, $"version {version} after {lastVersion}");
                lastVersion = version;
            }
        }, Ct));

        await Task.WhenAll(writers.Concat(readers));
        Assert.Equal(1, storage.Count);
        Assert.Equal(storage.StoredBytes, (await ReadTextAsync(storage, grainId)).Length + 2);
    }

    private static async Task<string> ReadTextAsync(MemoryGrainStorage storage, GrainId grainId)
    {
        var state = new GrainState<string>(string.Empty);
        await storage.ReadStateAsync("text", grainId, state, Ct);
        return state.State;
    }

    [Fact]
    public void BufferOverload_WritesTheArrayOverloadsBytes_ForEachOptionsAndOutputInTurn()
    {
        var compact = new JsonGrainStateSerializer([TestJsonContext.Default]);
        var indented = new JsonGrainStateSerializer([IndentedTestJsonContext.Default]);
        var value = new TestEvent(7, "a \"quoted\" é");

        // The per-thread writer moves between outputs and is not reused for other options.
        var first = new System.Buffers.ArrayBufferWriter<byte>();
        compact.Serialize(value, first);
        var second = new System.Buffers.ArrayBufferWriter<byte>();
        indented.Serialize(value, second);
        Assert.Throws<InvalidOperationException>(() => compact.Serialize(1.5m, new System.Buffers.ArrayBufferWriter<byte>()));
        var third = new System.Buffers.ArrayBufferWriter<byte>();
        compact.Serialize(value, third);

        Assert.Equal(compact.Serialize(value), first.WrittenSpan.ToArray());
        Assert.Equal(indented.Serialize(value), second.WrittenSpan.ToArray());
        Assert.Equal(compact.Serialize(value), third.WrittenSpan.ToArray());
        Assert.NotEqual(first.WrittenSpan.ToArray(), second.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task ClearState_RemovesRecord_AndResetsETag()
    {
        var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        var grainId = GrainId.Create("counter-a", "k");
        var state = new GrainState<CounterState>(new CounterState { Value = 5 });
        await storage.WriteStateAsync("counter", grainId, state, Ct);

        await storage.ClearStateAsync("counter", grainId, state, Ct);
        var reread = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("counter", grainId, reread, Ct);

        Assert.Null(state.ETag);
        Assert.False(reread.RecordExists);
        Assert.Equal(0, storage.Count);
    }

    [Fact]
    public async Task ClearStateAsync_ResetsStateToANewDefault_SoLaterWritesStartFromIt()
    {
        var grain = _client.GetGrain<ICounterAGrain>("clear-" + Guid.NewGuid().ToString("N"));
        await grain.Add(7);

        Assert.Equal(0, await grain.ClearAndGet());
        Assert.Equal(1, await grain.Add(1));
    }

    [Fact]
    public async Task SerializingStorage_KeepsWrittenCopy_WhenStateObjectChangesLater()
    {
        var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        var grainId = GrainId.Create("counter-a", "k");
        var state = new GrainState<CounterState>(new CounterState { Value = 5 });
        await storage.WriteStateAsync("counter", grainId, state, Ct);

        state.State.Value = 99;
        var reread = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("counter", grainId, reread, Ct);

        Assert.Equal(5, reread.State.Value);
    }

    [Fact]
    public void JsonSerializer_RejectsUnregisteredTypes_WithClearError()
    {
        var serializer = new JsonGrainStateSerializer([TestJsonContext.Default]);

        var error = Assert.Throws<InvalidOperationException>(() => serializer.Serialize(new Uri("http://example.com")));

        Assert.Contains("is not registered in any JsonSerializerContext", error.Message, StringComparison.Ordinal);
        Assert.Equal(7, serializer.Deserialize<TestEvent>(serializer.Serialize(new TestEvent(7))).Number);
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(TestEvent))]
internal sealed partial class IndentedTestJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
