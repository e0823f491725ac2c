using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

using static OrleansTrader.Grains.Tests.Paper.PaperVenueTestKit;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>
/// A checkpoint costs what changed since the previous one plus the live state, not the final orders the venue retains:
/// it neither builds nor walks the whole state, and its chunk holds exactly the history since the previous checkpoint.
/// </summary>
public sealed class GrainStoragePaperVenueCheckpointTests
{
    private const int Retained = 10_000;
    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Checkpoint_WithManyRetainedFinalOrders_ArchivesExactlyTheOrdersFinalSinceThePreviousOne_WithoutTheWholeState()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var store = new GrainStoragePaperVenueStore(storage);
        var venue = new Venue();
        for (var i = 0; i < Retained; i++)
        {
            venue.Fill(venue.Add());
        }

        await store.SaveAsync(AccountId, null, venue.Snapshot, Ct);
        venue.TakeChange();
        Assert.Equal(Retained, (await ReadChunkAsync(storage, 0)).Orders.Count);

        // A working order and a bracket whose entry filled while its exits work: live, so never archived while they are.
        var working = venue.Add();
        var entry = venue.Add();
        var takeProfit = venue.Add(groupId: "g1");
        var stopLoss = venue.Add(groupId: "g1");
        venue.Fill(entry, groupId: "g1");
        venue.Group(OrderGroup.Create("g1", OrderClass.Bracket, entry, takeProfit, stopLoss));
        await store.SaveAsync(AccountId, venue.TakeChange(), venue.CountedSnapshot, Ct);

        // The account's first run of saves, each one order filled at once; the save that ends the run is a checkpoint.
        var ring = new List<string>();
        for (var save = 1; save < FirstRunDeltas; save++)
        {
            ring.Add(venue.Fill(venue.Add()));
            await store.SaveAsync(AccountId, venue.TakeChange(), venue.CountedSnapshot, Ct);
        }

        Assert.Equal(1, await CountChunksAsync(storage));
        ring.Add(venue.Fill(venue.Add()));
        await store.SaveAsync(AccountId, venue.TakeChange(), venue.CountedSnapshot, Ct);

        Assert.Equal(0, venue.SnapshotsBuilt);
        var chunk = await ReadChunkAsync(storage, 1);
        Assert.Equal(ring, chunk.Orders.Select(o => o.OrderId));
        Assert.Equal(ring.Prepend(entry).Select(id => id + "-x"), chunk.Executions.Select(e => e.ExecutionId));
        var checkpoint = await ReadCheckpointAsync(storage);
        Assert.Equal([working, entry, takeProfit, stopLoss], checkpoint.Snapshot.Orders.Select(o => o.Order.OrderId));
        Assert.Equal("g1", Assert.Single(checkpoint.Snapshot.Groups).GroupId);
        Assert.Empty(checkpoint.Snapshot.Executions);
        Assert.Equal(venue.NextSequence, checkpoint.Snapshot.NextSequence);

        // The bracket ends: its members go into the next chunk together, and the group leaves the checkpoint.
        venue.Cancel(takeProfit);
        venue.Fill(stopLoss);
        await store.SaveAsync(AccountId, venue.TakeChange(), venue.CountedSnapshot, Ct);
        for (var save = 1; save <= PaperVenueJournal.Slots; save++)
        {
            venue.Fill(venue.Add());
            await store.SaveAsync(AccountId, venue.TakeChange(), venue.CountedSnapshot, Ct);
        }

        Assert.Equal(0, venue.SnapshotsBuilt);
        var second = await ReadChunkAsync(storage, 2);
        Assert.Equal(PaperVenueJournal.Slots + 3, second.Orders.Count);
        Assert.Contains(entry, second.Orders.Select(o => o.OrderId));
        Assert.Contains(stopLoss, second.Orders.Select(o => o.OrderId));
        checkpoint = await ReadCheckpointAsync(storage);
        Assert.Equal([working], checkpoint.Snapshot.Orders.Select(o => o.Order.OrderId));
        Assert.Empty(checkpoint.Snapshot.Groups);

        // A save the venue cannot describe builds the whole state once, and still archives only what no chunk holds.
        var late = venue.Fill(venue.Add());
        venue.TakeChange();
        await store.SaveAsync(AccountId, null, venue.CountedSnapshot, Ct);
        Assert.Equal(1, venue.SnapshotsBuilt);
        Assert.Equal([late], (await ReadChunkAsync(storage, 3)).Orders.Select(o => o.OrderId));

        // Everything the venue retained is found after a restart: live in memory, final in the archive, once each.
        var restarted = new GrainStoragePaperVenueStore(storage);
        var loaded = await restarted.LoadAsync(AccountId, Ct);
        Assert.NotNull(loaded);
        Assert.Equal([working], loaded.Orders.Select(o => o.Order.OrderId));
        Assert.Empty(loaded.Executions);
        foreach (var id in venue.FinalOrderIds())
        {
            Assert.Equal(id, (await restarted.FindArchivedOrderAsync(AccountId, id, Ct))?.Order.OrderId);
        }

        var executions = await restarted.LoadArchivedExecutionsAsync(AccountId, DateTimeOffset.MinValue, Ct);
        Assert.Equal(venue.ExecutionIds(), executions.Select(e => e.ExecutionId).Order(StringComparer.Ordinal));
        Assert.True(loaded.ArchivedBefore > executions.Max(e => e.Timestamp));
    }

    [Fact]
    public async Task Checkpoint_WhoseWriteFailsAfterItsChunk_LeavesTheVenueRestorableAndTheNextCheckpointWritesTheChunkAgain()
    {
        var storage = new FailingCheckpointStorage(new MemoryGrainStorage(_serializer));
        var store = new GrainStoragePaperVenueStore(storage);
        var venue = new Venue();
        var working = venue.Add();
        await store.SaveAsync(AccountId, null, venue.Snapshot, Ct);
        venue.TakeChange();
        for (var save = 1; save <= FirstRunDeltas; save++)
        {
            venue.Fill(venue.Add());
            await store.SaveAsync(AccountId, venue.TakeChange(), venue.CountedSnapshot, Ct);
        }

        // The save that ends the ring fills the working order: its chunk is written, its checkpoint write fails, and the
        // venue keeps its previous state (the order still working).
        var kept = venue.Copy();
        venue.Fill(working);
        storage.FailNextCheckpoint = true;
        await Assert.ThrowsAsync<IOException>(() => store.SaveAsync(AccountId, venue.TakeChange(), venue.CountedSnapshot, Ct));
        Assert.Equal(1, await CountChunksAsync(storage.Inner));

        // A crash now: the restart restores the previous state exactly, the working order included.
        var crashed = new GrainStoragePaperVenueStore(storage);
        var restored = await crashed.LoadAsync(AccountId, Ct);
        Assert.NotNull(restored);
        Assert.Equal(kept.Snapshot().Orders.Select(o => (o.Order.OrderId, o.Order.Status)), restored.Orders.Select(o => (o.Order.OrderId, o.Order.Status)));

        // No crash: the venue goes on from its previous state, and the next checkpoint writes over the chunk left behind.
        venue = kept;
        for (var save = 1; save <= PaperVenueJournal.Slots; save++)
        {
            venue.Fill(venue.Add());
            await store.SaveAsync(AccountId, venue.TakeChange(), venue.CountedSnapshot, Ct);
        }

        var restarted = new GrainStoragePaperVenueStore(storage.Inner);
        var loaded = await restarted.LoadAsync(AccountId, Ct);
        Assert.NotNull(loaded);
        Assert.Equal(OrderStatus.PendingNew, loaded.Orders.Single(o => o.Order.OrderId == working).Order.Status);
        Assert.Null(await restarted.FindArchivedOrderAsync(AccountId, working, Ct));
        foreach (var id in venue.FinalOrderIds())
        {
            Assert.True(
                loaded.Orders.Any(o => o.Order.OrderId == id) || await restarted.FindArchivedOrderAsync(AccountId, id, Ct) is not null,
                $"order {id} is neither restored nor archived");
        }

        var executions = await restarted.LoadArchivedExecutionsAsync(AccountId, DateTimeOffset.MinValue, Ct);
        Assert.Equal(
            venue.ExecutionIds(),
            executions.Select(e => e.ExecutionId).Concat(loaded.Executions.Select(e => e.ExecutionId)).Distinct().Order(StringComparer.Ordinal));
        Assert.DoesNotContain(working + "-x", executions.Select(e => e.ExecutionId));
    }

    [Fact]
    public async Task Venue_OverManyRings_BuildsItsWholeStateOnlyForItsFirstSave_AndServesEveryOrderAfterARestart()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var time = new FakeTimeProvider(Start);
        var store = new SnapshotCountingStore(new GrainStoragePaperVenueStore(storage));
        var ids = new List<string>();
        await using (var exchange = await StartAsync(store, time))
        {
            var client = exchange.GetClient(AccountId);
            for (var i = 0; i < (3 * PaperVenueJournal.Slots) + 10; i++)
            {
                ids.Add((await client.SubmitOrderAsync(MarketBuy(i), Ct)).OrderId);
                time.Advance(TimeSpan.FromMilliseconds(10));
            }
        }

        Assert.Equal(1, store.SnapshotsBuilt);
        Assert.Equal(4, await CountChunksAsync(storage));

        await using var restarted = await StartAsync(new GrainStoragePaperVenueStore(storage), time);
        var again = restarted.GetClient(AccountId);
        foreach (var id in ids)
        {
            Assert.Equal(OrderStatus.Filled, (await again.GetOrderAsync(id, Ct))?.Status);
        }

        Assert.Equal(ids, (await again.GetExecutionsSinceAsync(Start, Ct)).Select(e => e.OrderId));
    }

    private async Task<PaperArchiveChunk> ReadChunkAsync(IGrainStorage storage, int number)
    {
        var chunk = new GrainState<PaperArchiveChunk>(new PaperArchiveChunk());
        await storage.ReadStateAsync("chunk-" + number.ToString(CultureInfo.InvariantCulture), ArchiveId, chunk, Ct);
        Assert.True(chunk.RecordExists, $"chunk {number} is not written");
        return chunk.State;
    }

    private static async Task<int> CountChunksAsync(IGrainStorage storage)
    {
        var count = 0;
        while (true)
        {
            var chunk = new GrainState<PaperArchiveChunk>(new PaperArchiveChunk());
            await storage.ReadStateAsync("chunk-" + count.ToString(CultureInfo.InvariantCulture), ArchiveId, chunk, Ct);
            if (!chunk.RecordExists)
            {
                return count;
            }

            count++;
        }
    }

    private static async Task<PaperVenueCheckpoint> ReadCheckpointAsync(IGrainStorage storage)
    {
        var checkpoint = new GrainState<PaperVenueCheckpoint>(new PaperVenueCheckpoint());
        await storage.ReadStateAsync("venue-checkpoint", VenueId, checkpoint, Ct);
        return checkpoint.State;
    }

    /// <summary>
    /// A venue's state as a test drives it: orders added, filled or canceled, and the change since the last save built
    /// the way the venue builds it; the whole snapshot on demand, counting how often a store asks for it.
    /// </summary>
    private sealed class Venue
    {
        private readonly Dictionary<string, PaperOrderRecord> _orders = new(StringComparer.Ordinal);
        private readonly Dictionary<string, OrderGroup> _groups = new(StringComparer.Ordinal);
        private readonly List<Execution> _executions = [];
        private readonly Dictionary<string, PaperOrderRecord> _changedOrders = new(StringComparer.Ordinal);
        private readonly List<OrderGroup> _changedGroups = [];
        private readonly List<Execution> _addedExecutions = [];
        private Position _position = Position.Flat("AAPL");
        private bool _positionChanged;

        public long NextSequence { get; private set; }

        public int SnapshotsBuilt { get; private set; }

        public string Add(string? groupId = null)
        {
            var sequence = NextSequence++;
            var id = "o" + sequence.ToString(CultureInfo.InvariantCulture);
            var order = Order.Create(id, new OrderRequest
            {
                ClientOrderId = "c" + sequence.ToString(CultureInfo.InvariantCulture),
                Symbol = "AAPL",
                Side = OrderSide.Buy,
                Type = OrderType.Limit,
                Quantity = 1m,
                LimitPrice = 99m,
            }, Start.AddMilliseconds(sequence));
            Put(new PaperOrderRecord { Order = order, Matching = SimulatedOrder.From(order), Sequence = sequence, GroupId = groupId });
            return id;
        }

        public string Fill(string orderId, string? groupId = null)
        {
            var record = _orders[orderId];
            var at = record.Order.CreatedAt.AddMilliseconds(1);
            Put(record with
            {
                Order = record.Order with
                {
                    Status = OrderStatus.Filled,
                    FilledQuantity = 1m,
                    AverageFillPrice = 99m,
                    UpdatedAt = at,
                    ExecutionIds = [orderId + "-x"],
                },
                Matching = null,
                GroupId = groupId ?? record.GroupId,
            });
            var execution = new Execution
            {
                ExecutionId = orderId + "-x",
                OrderId = orderId,
                ClientOrderId = record.Order.ClientOrderId,
                Symbol = "AAPL",
                Side = OrderSide.Buy,
                Quantity = 1m,
                Price = 99m,
                Timestamp = at,
            };
            _executions.Add(execution);
            _addedExecutions.Add(execution);
            _position = _position with { Quantity = _position.Quantity + 1m, CostBasis = _position.CostBasis + 99m };
            _positionChanged = true;
            return orderId;
        }

        public void Cancel(string orderId)
        {
            var record = _orders[orderId];
            Put(record with { Order = record.Order with { Status = OrderStatus.Canceled, UpdatedAt = record.Order.CreatedAt.AddMilliseconds(1) }, Matching = null });
        }

        public void Group(OrderGroup group)
        {
            _groups[group.GroupId] = group;
            _changedGroups.Add(group);
        }

        public PaperVenueChange TakeChange()
        {
            var change = new PaperVenueChange
            {
                Orders = [.. _changedOrders.Values.OrderBy(r => r.Sequence)],
                Groups = [.. _changedGroups],
                Positions = _positionChanged ? [_position] : [],
                AddedExecutions = [.. _addedExecutions],
                NextSequence = NextSequence,
            };
            _changedOrders.Clear();
            _changedGroups.Clear();
            _addedExecutions.Clear();
            _positionChanged = false;
            return change;
        }

        public PaperVenueSnapshot Snapshot() => new()
        {
            Orders = [.. _orders.Values.OrderBy(r => r.Sequence)],
            Groups = [.. _groups.Values],
            Executions = [.. _executions],
            Positions = [_position],
            NextSequence = NextSequence,
        };

        public PaperVenueSnapshot CountedSnapshot()
        {
            SnapshotsBuilt++;
            return Snapshot();
        }

        /// <summary>This state, to go on from as a venue does after a save failed; no change pending.</summary>
        public Venue Copy()
        {
            var copy = new Venue { NextSequence = NextSequence, _position = _position };
            foreach (var (id, record) in _orders)
            {
                copy._orders[id] = record;
            }

            foreach (var (id, group) in _groups)
            {
                copy._groups[id] = group;
            }

            copy._executions.AddRange(_executions);
            return copy;
        }

        public IEnumerable<string> FinalOrderIds() => _orders.Values.Where(r => r.Order.Status.IsFinal()).Select(r => r.Order.OrderId);

        public IEnumerable<string> ExecutionIds() => _executions.Select(e => e.ExecutionId).Order(StringComparer.Ordinal);

        private void Put(PaperOrderRecord record)
        {
            _orders[record.Order.OrderId] = record;
            _changedOrders[record.Order.OrderId] = record;
        }
    }

    /// <summary>Counts how often the store asks the venue for its whole state.</summary>
    private sealed class SnapshotCountingStore(IPaperVenueStore inner) : DelegatingPaperVenueStore(inner)
    {
        public int SnapshotsBuilt { get; private set; }

        public override Task SaveAsync(string accountId, PaperVenueChange? change, Func<PaperVenueSnapshot> snapshot, CancellationToken cancellationToken) =>
            base.SaveAsync(accountId, change, () =>
            {
                SnapshotsBuilt++;
                return snapshot();
            }, cancellationToken);
    }

    /// <summary>Fails the next write of a checkpoint record when asked, as a storage outage would.</summary>
    private sealed class FailingCheckpointStorage(MemoryGrainStorage inner) : ForwardingGrainStorage(inner)
    {
        public MemoryGrainStorage Inner { get; } = inner;

        public bool FailNextCheckpoint { get; set; }

        public override Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        {
            if (FailNextCheckpoint && stateName == "venue-checkpoint")
            {
                FailNextCheckpoint = false;
                throw new IOException("storage unavailable");
            }

            return base.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
        }
    }
}
