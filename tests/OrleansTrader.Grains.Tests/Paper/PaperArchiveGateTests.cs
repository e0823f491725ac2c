using OrleansTrader.Brokers.Paper;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>
/// An account's first archive query indexes every chunk its retention keeps (about 3 s for 100,000 archived orders when
/// it read the chunks, as it still does for chunks without key records; about 0.1 s from their key records). The
/// gate that orders that build with the chunks committed meanwhile was one for the whole store, so every other account's
/// save that committed a chunk waited for the build, under its symbol's gate: other accounts' orders in the symbol waited.
/// </summary>
public sealed class PaperArchiveGateTests
{
    private static readonly GrainId IndexedArchive = GrainId.Create("paper-venue-archive", "acct-1");
    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ArchiveIndexBuild_HoldsNoChunkCommitOfAnotherAccount()
    {
        var memory = new MemoryGrainStorage(_serializer);
        var writer = new GrainStoragePaperVenueStore(memory);
        await writer.ArchiveAsync("acct-1", new PaperVenueArchive { Orders = [PaperStoreTestRecords.Order(1, 1, quantity: 1m)] }, Ct);
        await writer.SaveAsync("acct-1", null, () => new PaperVenueSnapshot { NextSequence = 2 }, Ct);
        var held = new HeldChunkReadStorage(memory);
        var store = new GrainStoragePaperVenueStore(held);

        var indexing = store.FindArchivedOrderAsync("acct-1", "o1", Ct);
        try
        {
            await held.ReadStarted.Task.WaitAsync(Ct);

            // Bounded so that a commit waiting for the held build fails the test instead of hanging it.
            await store.ArchiveAsync("acct-2", new PaperVenueArchive { Orders = [PaperStoreTestRecords.Order(2, 2, quantity: 2m)] }, Ct)
                .WaitAsync(TimeSpan.FromSeconds(10), Ct);

            Assert.False(indexing.IsCompleted);
        }
        finally
        {
            held.Release();
        }

        Assert.Equal("o1", (await indexing)?.Order.OrderId);
        Assert.Equal("o2", (await store.FindArchivedOrderAsync("acct-2", "o2", Ct))?.Order.OrderId);
    }

    /// <summary>
    /// Holds the first read of acct-1's archive chunks or their key records (what the index build reads) until released, as
    /// the index build of a big archive takes its time.
    /// </summary>
    private sealed class HeldChunkReadStorage(IGrainStorage inner) : ForwardingGrainStorage(inner)
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed = 1;

        public TaskCompletionSource ReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        public override async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        {
            if (grainId == IndexedArchive && IsIndexed(stateName) && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                ReadStarted.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            await base.ReadStateAsync(stateName, grainId, grainState, cancellationToken);
        }

        private static bool IsIndexed(string stateName) =>
            stateName.StartsWith("chunk-", StringComparison.Ordinal) || stateName.StartsWith("keys-", StringComparison.Ordinal);
    }
}
