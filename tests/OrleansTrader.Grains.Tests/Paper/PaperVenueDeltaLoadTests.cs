using System.Globalization;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>
/// A venue load reads the delta slots after its checkpoint in runs (a storage round trip per run, not per slot), with
/// what reading them one by one gave: the same deltas in the same order, the journal ending at the first slot without
/// the next number, and every slot read keeping its ETag, so the next saves write those slots without a conflict.
/// </summary>
public sealed class PaperVenueDeltaLoadTests
{
    private const string AccountId = "acct-1";
    private const int Deltas = 100;
    private static readonly DateTimeOffset Start = PaperStoreTestRecords.Start;
    private static readonly GrainId VenueId = GrainId.Create("paper-venue", AccountId);
    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Load_ManyDeltasAfterTheCheckpoint_ReadsTheirSlotsInAFewRoundTrips()
    {
        var (memory, states) = await JournaledAsync();
        var counting = new ReadCountingStorage("venue-delta-");

        var loaded = await new GrainStoragePaperVenueStore(counting.Over(memory)).LoadAsync(AccountId, Ct);

        AssertSame(states[Deltas], loaded);
        Assert.True(counting.Reads <= 4, $"Loading the venue read {counting.RecordsRead} delta slots in {counting.Reads} reads");
        Assert.InRange(counting.RecordsRead, Deltas + 1, PaperVenueJournal.Slots);
    }

    [Fact]
    public async Task Load_EndsAtTheFirstSlotWithoutTheNextNumber_AndTheNextSavesWriteTheSlotsItReadWithoutReadingThem()
    {
        var (memory, states) = await JournaledAsync();

        // Delta 50 is gone: the deltas after it are in their slots, but not in the journal any more.
        var gone = await memory.ReadRecordAsync<PaperVenueDelta>("venue-delta-50", VenueId, Ct);
        await memory.ClearStateAsync("venue-delta-50", VenueId, gone, Ct);
        var counting = new ReadCountingStorage("venue-delta-");
        var store = new GrainStoragePaperVenueStore(counting.Over(memory));

        var loaded = await store.LoadAsync(AccountId, Ct);
        AssertSame(states[49], loaded);

        // Deltas 50 to 105 go over the tombstone and the records of the old deltas, past the last one (the journal must
        // not run on into an old delta when reloaded): the load read all those slots, so their ETags are known.
        var reads = counting.Reads;
        var snapshot = loaded!;
        for (var step = 1_000; step < 1_056; step++)
        {
            var next = Change(snapshot, step);
            await store.SaveAsync(AccountId, PaperVenueChange.Between(snapshot, next), () => next, Ct);
            snapshot = next;
        }

        Assert.True(counting.Reads == reads, $"The 56 saves after the load read {counting.Reads - reads} delta slots first");
        AssertSame(snapshot, await new GrainStoragePaperVenueStore(memory).LoadAsync(AccountId, Ct));
    }

    /// <summary>
    /// A new account's checkpoint (through delta 0) and <see cref="Deltas"/> deltas after it, with the venue's state
    /// after each number of deltas.
    /// </summary>
    private async Task<(MemoryGrainStorage Memory, List<PaperVenueSnapshot> States)> JournaledAsync()
    {
        var memory = new MemoryGrainStorage(_serializer);
        var store = new GrainStoragePaperVenueStore(memory);
        Assert.Null(await store.LoadAsync(AccountId, Ct));

        // The first save is the checkpoint: of an empty venue, so it archives nothing and the deltas hold every execution.
        var snapshot = new PaperVenueSnapshot();
        await store.SaveAsync(AccountId, null, () => snapshot, Ct);
        var states = new List<PaperVenueSnapshot> { snapshot };
        for (var step = 1; step <= Deltas; step++)
        {
            var next = Change(snapshot, step);
            await store.SaveAsync(AccountId, PaperVenueChange.Between(snapshot, next), () => next, Ct);
            snapshot = next;
            states.Add(snapshot);
        }

        return (memory, states);
    }

    /// <summary>One venue change the store writes as a delta (it drops no executions): a new order, an older one updated, a fill.</summary>
    private static PaperVenueSnapshot Change(PaperVenueSnapshot snapshot, int step)
    {
        var orders = snapshot.Orders.ToList();
        orders.Add(NewOrder(step, snapshot.NextSequence + 1));
        if (orders.Count > 2)
        {
            var older = orders[orders.Count / 2];
            var matching = older.Matching ?? SimulatedOrder.From(older.Order);
            orders[orders.Count / 2] = older with { Matching = matching with { LeavesQuantity = matching.LeavesQuantity + 1m } };
        }

        var positions = snapshot.Positions.ToDictionary(p => p.Symbol, StringComparer.Ordinal);
        var symbol = "S" + (step % 4).ToString(CultureInfo.InvariantCulture);
        positions[symbol] = (positions.GetValueOrDefault(symbol) ?? Position.Flat(symbol)) with { Quantity = step };
        return snapshot with
        {
            Orders = orders,
            Executions = [.. snapshot.Executions, NewExecution(step)],
            Positions = [.. positions.Values],
            NextSequence = snapshot.NextSequence + 1,
        };
    }

    private static PaperOrderRecord NewOrder(int step, long sequence) => PaperStoreTestRecords.Order(step, sequence, quantity: step + 1);

    private static Execution NewExecution(int step) => PaperStoreTestRecords.Execution(step);

    private void AssertSame(PaperVenueSnapshot expected, PaperVenueSnapshot? loaded)
    {
        Assert.NotNull(loaded);
        Assert.Equal(Canonical(expected), Canonical(loaded));
    }

    /// <summary>The snapshot as JSON with unordered collections sorted, so equal content compares equal.</summary>
    private string Canonical(PaperVenueSnapshot snapshot) => System.Text.Encoding.UTF8.GetString(_serializer.Serialize(snapshot with
    {
        Orders = [.. snapshot.Orders.OrderBy(o => o.Sequence)],
        Positions = [.. snapshot.Positions.OrderBy(p => p.Symbol, StringComparer.Ordinal)],
        Groups = [.. snapshot.Groups.OrderBy(g => g.GroupId, StringComparer.Ordinal)],
    }));
}
