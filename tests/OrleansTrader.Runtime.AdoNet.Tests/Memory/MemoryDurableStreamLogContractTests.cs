namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>The runtime's in-memory stream log; "reopening" returns the same instance, as tests share one across silo restarts.</summary>
public sealed class MemoryDurableStreamLogContractTests : DurableStreamLogContractTests
{
    private readonly MemoryDurableStreamLog _log = new();

    protected override async Task<IDurableStreamLog> OpenLogAsync()
    {
        await _log.InitializeAsync(TestContext.Current.CancellationToken);
        return _log;
    }

    [Fact]
    public async Task Append_KeepsItsOwnCopies_OfSmallAndLargePayloads()
    {
        var ct = TestContext.Current.CancellationToken;
        var stream = StreamId.Create("copies", "s1");
        var small = Enumerable.Range(0, 3_000).Select(i => new byte[] { (byte)i, (byte)(i >> 8), 7 }).ToArray();
        var large = Enumerable.Repeat((byte)42, 100_000).ToArray();
        foreach (var batch in small.Chunk(100))
        {
            await _log.AppendAsync(stream, [.. batch.Select(b => (ReadOnlyMemory<byte>)b)], DateTimeOffset.UnixEpoch, ct);
        }

        await _log.AppendAsync(stream, [large], DateTimeOffset.UnixEpoch, ct);

        // The caller's buffers change afterwards; the log's copies (in shared chunks, or alone when large) must not.
        foreach (var payload in small)
        {
            payload[2] = 0;
        }

        large[0] = 0;
        var stored = await _log.ReadStreamAsync(stream, 0, 10_000, ct);
        Assert.Equal(3_001, stored.Count);
        for (var i = 0; i < 3_000; i++)
        {
            Assert.Equal(new byte[] { (byte)i, (byte)(i >> 8), 7 }, stored[i].Payload.ToArray());
        }

        Assert.Equal(100_000, stored[^1].Payload.Length);
        Assert.All(stored[^1].Payload.ToArray(), b => Assert.Equal(42, b));
    }
}
