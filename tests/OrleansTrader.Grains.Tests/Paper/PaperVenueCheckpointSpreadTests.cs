using System.Globalization;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

using static OrleansTrader.Grains.Tests.Paper.PaperVenueTestKit;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>
/// Accounts trading in lock step (one strategy's signal sent to many accounts) save their venues in lock step. With one
/// ring length for every account, each account's checkpoint, with its archive chunk, fell due on the same save: 100 of
/// them within about 25 ms in the order benchmark (docs/benchmarks.md). Each account checkpoints at its own point instead.
/// </summary>
public sealed class PaperVenueCheckpointSpreadTests
{
    private const int Accounts = 100;
    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AccountsSavingInLockStep_CheckpointOnDifferentSaves()
    {
        var storage = new CheckpointRecordingStorage(new MemoryGrainStorage(_serializer));
        var store = new GrainStoragePaperVenueStore(storage);
        var accounts = Enumerable.Range(0, Accounts).Select(i => "lockstep-" + i.ToString("D3", CultureInfo.InvariantCulture)).ToList();

        // The first save, then two whole rings and the saves that end them: every account checkpoints twice after its
        // first save, whatever its slot.
        var saves = 1 + (2 * (PaperVenueJournal.Slots + 1));
        for (var save = 1; save <= saves; save++)
        {
            storage.Save = save;
            foreach (var account in accounts)
            {
                var change = FilledOrder(save);
                await store.SaveAsync(account, change, () => change.ApplyTo(new PaperVenueSnapshot()), Ct);
            }
        }

        // A new account's first save is its checkpoint, on the same save for all; the later ones should not be.
        var later = storage.Checkpoints.Where(c => c.Save > 1).ToList();
        Assert.All(accounts, account => Assert.Equal(2, later.Count(c => c.Account == account)));
        var busiest = later.GroupBy(c => c.Save).MaxBy(g => g.Count())!;
        Assert.True(
            busiest.Count() <= Accounts / 10,
            $"{busiest.Count()} of {Accounts} accounts checkpointed on save {busiest.Key}; the saves with checkpoints: "
            + string.Join(", ", later.GroupBy(c => c.Save).OrderBy(g => g.Key).Select(g => $"{g.Key} ({g.Count()})")));

        // Each account's venue still loads whole: every order it saved.
        var restarted = new GrainStoragePaperVenueStore(storage);
        foreach (var account in accounts)
        {
            var loaded = await restarted.LoadAsync(account, Ct);
            Assert.NotNull(loaded);
            Assert.Equal(saves, loaded.NextSequence);
        }
    }

    [Fact]
    public void CheckpointSlot_FollowsFromTheAccountIdAlone_TheSameInEveryProcess()
    {
        // Known answers: string.GetHashCode differs per process, and so would every account's slot after each restart.
        Assert.Equal([124, 22, 7], new[] { "acct-1", "demo", "alice" }.Select(PaperVenueJournal.CheckpointSlotOf));

        // Ids numbered in sequence differ in one character, and so in their slots.
        var slots = Enumerable.Range(0, 10).Select(i => PaperVenueJournal.CheckpointSlotOf("lockstep-00" + i.ToString(CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(10, slots.Distinct().Count());
        Assert.Equal(
            Enumerable.Range(0, PaperVenueJournal.Slots),
            Enumerable.Range(0, 1_000).Select(i => PaperVenueJournal.CheckpointSlotOf("ring-" + i.ToString(CultureInfo.InvariantCulture))).Distinct().Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(0)]
    public async Task Load_AfterEverySave_OverTwoRings_RestoresTheLastSave(int checkpointSlot)
    {
        var account = Enumerable.Range(0, 1_000).Select(i => "ring-" + i.ToString(CultureInfo.InvariantCulture))
            .First(id => PaperVenueJournal.CheckpointSlotOf(id) == checkpointSlot);
        var storage = new CheckpointRecordingStorage(new MemoryGrainStorage(_serializer));
        var store = new GrainStoragePaperVenueStore(storage);
        var firstRun = checkpointSlot > 0 ? checkpointSlot : PaperVenueJournal.Slots;
        var saves = firstRun + (2 * (PaperVenueJournal.Slots + 1)) + 2;
        for (var save = 1; save <= saves; save++)
        {
            storage.Save = save;
            var change = FilledOrder(save);
            await store.SaveAsync(account, change, () => change.ApplyTo(new PaperVenueSnapshot()), Ct);

            var loaded = await new GrainStoragePaperVenueStore(storage).LoadAsync(account, Ct);
            Assert.Equal(save, loaded?.NextSequence);
        }

        // The first save; the one after the first run, which ends at the account's slot; then one after each whole ring.
        int[] expected = [1, firstRun + 2, firstRun + 2 + PaperVenueJournal.Slots + 1, firstRun + 2 + (2 * (PaperVenueJournal.Slots + 1))];
        Assert.Equal(expected, storage.Checkpoints.Select(c => c.Save));
    }

    [Fact]
    public async Task Load_OfAJournalWithAWholeRingOf128Deltas_AsEarlierBuildsWroteForEveryAccount_ReplaysThemAll_AndTheNextSaveCheckpoints()
    {
        // A run longer than this build writes for the account before its first checkpoint after this one.
        Assert.NotEqual(0, PaperVenueJournal.CheckpointSlotOf(AccountId));
        var storage = new CheckpointRecordingStorage(new MemoryGrainStorage(_serializer));
        var first = FilledOrder(1);
        await storage.WriteStateAsync("venue-checkpoint", VenueId,
            new GrainState<PaperVenueCheckpoint>(new PaperVenueCheckpoint { Snapshot = first.ApplyTo(new PaperVenueSnapshot()) }), Ct);
        for (var number = 1; number <= 128; number++)
        {
            var slot = PaperVenueJournal.SlotOf(number).ToString(CultureInfo.InvariantCulture);
            await storage.WriteStateAsync("venue-delta-" + slot, VenueId, new GrainState<PaperVenueDelta>(PaperVenueDelta.From(number, FilledOrder(number + 1))), Ct);
        }

        var store = new GrainStoragePaperVenueStore(storage);
        var loaded = await store.LoadAsync(AccountId, Ct);
        Assert.NotNull(loaded);
        Assert.Equal(129, loaded.NextSequence);
        Assert.Equal(129, loaded.Orders.Count);

        storage.Checkpoints.Clear();
        var change = FilledOrder(130);
        await store.SaveAsync(AccountId, change, () => throw new InvalidOperationException("the change is known"), Ct);
        Assert.Equal(AccountId, Assert.Single(storage.Checkpoints).Account);
        Assert.Equal(130, (await new GrainStoragePaperVenueStore(storage).LoadAsync(AccountId, Ct))?.NextSequence);
        Assert.Equal("o130", (await store.FindArchivedOrderAsync(AccountId, "o130", Ct))?.Order.OrderId);
    }

    /// <summary>A save's change: one market order that filled at once, as the order benchmark's accounts place.</summary>
    private static PaperVenueChange FilledOrder(int save)
    {
        var id = "o" + save.ToString(CultureInfo.InvariantCulture);
        var at = Start.AddMilliseconds(save);
        var order = Order.Create(id, MarketBuy(save), at) with
        {
            Status = OrderStatus.Filled, FilledQuantity = 1m, AverageFillPrice = 100m, UpdatedAt = at, ExecutionIds = [id + "-x"],
        };
        var execution = new Execution
        {
            ExecutionId = id + "-x",
            OrderId = id,
            ClientOrderId = order.ClientOrderId,
            Symbol = "AAPL",
            Side = OrderSide.Buy,
            Quantity = 1m,
            Price = 100m,
            Timestamp = at,
        };
        return new PaperVenueChange
        {
            Orders = [new PaperOrderRecord { Order = order, Sequence = save - 1 }],
            AddedExecutions = [execution],
            NextSequence = save,
        };
    }

    /// <summary>Records on which save (set by the test) each account's checkpoint was written.</summary>
    private sealed class CheckpointRecordingStorage(IGrainStorage inner) : ForwardingGrainStorage(inner)
    {
        public int Save { get; set; }

        public List<(string Account, int Save)> Checkpoints { get; } = [];

        public override Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        {
            if (stateName == "venue-checkpoint")
            {
                Checkpoints.Add((grainId.Key, Save));
            }

            return base.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
        }
    }
}
