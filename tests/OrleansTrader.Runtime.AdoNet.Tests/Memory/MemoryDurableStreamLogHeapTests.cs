namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>Runs alone: it measures the small-object heap, which tests running beside it would grow.</summary>
[CollectionDefinition(nameof(HeapMeasuringCollection), DisableParallelization = true)]
public sealed class HeapMeasuringCollection;

/// <summary>What the in-memory stream log keeps on the small-object heap, which every gen0 and gen1 collection copies.</summary>
[Collection(nameof(HeapMeasuringCollection))]
public sealed class MemoryDurableStreamLogHeapTests
{
    [Fact]
    public async Task Append_KeepsNoObjectPerEvent_OnTheSmallObjectHeap()
    {
        var ct = TestContext.Current.CancellationToken;
        var log = new MemoryDurableStreamLog();
        var payload = new byte[] { 1, 2, 3, 4 };
        const int Streams = 100;
        const int EventsPerStream = 500;
        var before = SmallObjectHeapBytes();

        // Streams of a few hundred events each, as an account's fills: their own lists stay on the small-object heap.
        for (var i = 0; i < EventsPerStream; i++)
        {
            for (var s = 0; s < Streams; s++)
            {
                await log.AppendAsync(StreamId.Create("heap", $"s{s}"), [payload], DateTimeOffset.UnixEpoch, ct);
            }
        }

        var perEvent = (SmallObjectHeapBytes() - before) / (Streams * EventsPerStream);
        GC.KeepAlive(log);

        // A stored event object (80 bytes) and its reference in the stream's list were about 90 bytes an event; the
        // stream's sequence and position, with its list's spare room, are at most 32.
        Assert.True(perEvent <= 40, $"{perEvent} bytes of small-object heap per retained event");
        Assert.Equal(EventsPerStream, (await log.ReadStreamAsync(StreamId.Create("heap", "s7"), 0, 1_000, ct)).Count);
    }

    /// <summary>Live bytes in gen0, gen1 and gen2 after a full collection (the large- and pinned-object heaps left out).</summary>
    private static long SmallObjectHeapBytes()
    {
        GC.GetTotalMemory(forceFullCollection: true);
        var generations = GC.GetGCMemoryInfo(GCKind.FullBlocking).GenerationInfo;
        long live = 0;
        for (var generation = 0; generation <= 2; generation++)
        {
            live += generations[generation].SizeAfterBytes - generations[generation].FragmentationAfterBytes;
        }

        return live;
    }
}
