namespace OrleansTrader.Runtime.Tests;

public sealed class DurableStreamLagTests
{
    private static readonly StreamId FillsA = StreamId.Create("fills", "a");
    private static readonly StreamId FillsB = StreamId.Create("fills", "b");
    private static readonly StreamId Audit = StreamId.Create("audit", "a");

    [Fact]
    public void ByNamespace_SumsHeadMinusCheckpoint_OverTrackedConsumers()
    {
        var lag = new DurableStreamLag();
        lag.Track(FillsA, "c1");
        lag.Track(FillsA, "c2");
        lag.Track(FillsB, "c1");
        lag.Track(Audit, "c1");
        lag.ObserveHead(FillsA, 10);
        lag.ObserveHead(FillsB, 4);
        lag.ObserveHead(Audit, 7);
        lag.ObserveCheckpoint(FillsA, "c1", 6);
        lag.ObserveCheckpoint(FillsA, "c2", 10);
        lag.ObserveCheckpoint(FillsB, "c1", 1);
        lag.ObserveCheckpoint(Audit, "c1", 7);

        var byNamespace = lag.ByNamespace().ToDictionary();

        Assert.Equal(new Dictionary<string, long> { ["fills"] = 7, ["audit"] = 0 }, byNamespace);
    }

    [Fact]
    public void ByNamespace_IgnoresAConsumerWhoseCheckpointIsNotReadYet()
    {
        var lag = new DurableStreamLag();
        lag.Track(FillsA, "c1");
        lag.ObserveHead(FillsA, 1_000);

        Assert.Equal(0, lag.ByNamespace().ToDictionary()["fills"]);
    }

    [Fact]
    public void Head_OnlyMovesForward_AndARewindRaisesTheLag()
    {
        var lag = new DurableStreamLag();
        lag.Track(FillsA, "c1");
        lag.ObserveHead(FillsA, 9);
        lag.ObserveHead(FillsA, 3);
        lag.ObserveCheckpoint(FillsA, "c1", 9);
        var caughtUp = lag.ByNamespace().ToDictionary()["fills"];

        lag.ObserveCheckpoint(FillsA, "c1", 2);

        Assert.Equal(0, caughtUp);
        Assert.Equal(7, lag.ByNamespace().ToDictionary()["fills"]);
    }

    [Fact]
    public void Untrack_ForgetsTheConsumerAndItsStream_ButTheNamespaceStillReportsZero()
    {
        var lag = new DurableStreamLag();
        lag.Track(FillsA, "c1");
        lag.ObserveHead(FillsA, 5);
        lag.ObserveCheckpoint(FillsA, "c1", 1);

        lag.Untrack(FillsA, "c1");
        var afterUntrack = lag.ByNamespace().ToDictionary();
        lag.ObserveHead(FillsA, 50);
        lag.Track(FillsA, "c1");
        lag.ObserveCheckpoint(FillsA, "c1", 0);
        lag.ObserveHead(FillsA, 2);

        Assert.Equal(0, afterUntrack["fills"]);
        Assert.Equal(2, lag.ByNamespace().ToDictionary()["fills"]);
    }
}
