namespace OrleansTrader.Runtime.Tests;

/// <summary>The provider's in-memory tails: contiguous, bounded per stream and in total, and never claiming what they do not hold.</summary>
public sealed class DurableStreamTailsTests
{
    private static readonly StreamId A = StreamId.Create("fills", "a");
    private static readonly StreamId B = StreamId.Create("fills", "b");

    [Fact]
    public void TryRead_ServesTheTail_ReportsCaughtUp_AndMissesWhatItDoesNotHold()
    {
        var tails = new DurableStreamTails(eventsPerStream: 3, maxBytes: 1_000);
        tails.Appended(A, Events(A, 1, 5, size: 10));

        Assert.Equal([3L, 4L, 5L], tails.TryRead(A, 2, 10)!.Select(e => e.Sequence));
        Assert.Equal([4L], tails.TryRead(A, 3, 1)!.Select(e => e.Sequence));
        Assert.Empty(tails.TryRead(A, 5, 10)!);
        Assert.Null(tails.TryRead(A, 1, 10));
        Assert.Null(tails.TryRead(B, 0, 10));
        Assert.Equal(30, tails.Bytes);
        Assert.Equal((2, 1, 2), (tails.Hits, tails.CaughtUp, tails.Misses));
    }

    [Fact]
    public void TryGetPublished_HoldsOnlyTheNewestBatchesObjects_BySequence()
    {
        var tails = new DurableStreamTails(eventsPerStream: 10, maxBytes: 1_000);
        object first = "first", second = "second", third = "third";
        tails.Appended(A, Events(A, 1, 2, size: 10), [first, second]);
        var whileNewest = (tails.TryGetPublished(A, 1), tails.TryGetPublished(A, 2), tails.TryGetPublished(A, 3));
        tails.Appended(A, Events(A, 3, 3, size: 10), [third]);
        var afterNext = (tails.TryGetPublished(A, 2), tails.TryGetPublished(A, 3));
        tails.Appended(A, Events(A, 4, 4, size: 10));

        Assert.Equal((first, second, (object?)null), whileNewest);
        Assert.Equal(((object?)null, third), afterNext);
        Assert.Null(tails.TryGetPublished(A, 3));
        Assert.Null(tails.TryGetPublished(B, 1));
    }

    [Fact]
    public void Appended_AfterAGap_RestartsTheTail_SoItStaysContiguous()
    {
        var tails = new DurableStreamTails(eventsPerStream: 10, maxBytes: 1_000);
        tails.Appended(A, Events(A, 1, 2, size: 10));
        tails.Appended(A, Events(A, 5, 6, size: 10));

        Assert.Null(tails.TryRead(A, 2, 10));
        Assert.Equal([5L, 6L], tails.TryRead(A, 4, 10)!.Select(e => e.Sequence));
        Assert.Equal(2, tails.Events);
    }

    [Fact]
    public void Appended_OverTheByteBudget_DropsTheLeastRecentlyAppendedStream_ButKeepsItsHead()
    {
        var tails = new DurableStreamTails(eventsPerStream: 10, maxBytes: 50);
        tails.Appended(A, Events(A, 1, 3, size: 10));
        tails.Appended(B, Events(B, 1, 3, size: 10));

        Assert.Null(tails.TryRead(A, 0, 10));
        Assert.Empty(tails.TryRead(A, 3, 10)!);
        Assert.Equal([1L, 2L, 3L], tails.TryRead(B, 0, 10)!.Select(e => e.Sequence));
        Assert.Equal(30, tails.Bytes);
    }

    [Fact]
    public void ObserveRead_OfAFullBatch_DoesNotClaimTheHead()
    {
        var tails = new DurableStreamTails(eventsPerStream: 10, maxBytes: 1_000);

        tails.ObserveRead(A, 0, Events(A, 1, 2, size: 1), maxCount: 2);
        var afterFullRead = tails.TryRead(A, 2, 2);
        tails.ObserveRead(A, 2, [], maxCount: 2);

        Assert.Null(afterFullRead);
        Assert.Empty(tails.TryRead(A, 2, 2)!);
    }

    private static StoredStreamEvent[] Events(StreamId streamId, long first, long last, int size) =>
        [.. Enumerable.Range((int)first, (int)(last - first + 1)).Select(s => new StoredStreamEvent(s, streamId, s, new byte[size], DateTimeOffset.UnixEpoch))];
}
