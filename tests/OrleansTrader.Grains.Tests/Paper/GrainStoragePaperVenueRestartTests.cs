using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fees;
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

/// <summary>The paper venue over grain storage across restarts: live-only checkpoints, archive chunks, stored layouts of earlier versions.</summary>
public sealed class GrainStoragePaperVenueRestartTests
{
    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_AfterCheckpoints_ServesFinalOrdersAndExecutionsFromTheArchive()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var time = new FakeTimeProvider(Start);
        var orders = FirstRunDeltas + 20;
        var ids = new List<string>();
        await using (var exchange = await StartAsync(new GrainStoragePaperVenueStore(storage), time))
        {
            var client = exchange.GetClient(AccountId);
            for (var i = 0; i < orders; i++)
            {
                ids.Add((await client.SubmitOrderAsync(MarketBuy(i), Ct)).OrderId);
                time.Advance(TimeSpan.FromMilliseconds(10));
            }
        }

        // The checkpoint holds live state only: every order filled, so no order and no execution is in it.
        var checkpoint = new GrainState<PaperVenueCheckpoint>(new PaperVenueCheckpoint());
        await storage.ReadStateAsync("venue-checkpoint", VenueId, checkpoint, Ct);
        Assert.Empty(checkpoint.State.Snapshot.Orders);
        Assert.Empty(checkpoint.State.Snapshot.Executions);
        Assert.True(checkpoint.State.ArchiveChunks >= 1);

        // A market order that filled at once is written without its matching state or the change's empty lists. The last
        // save's delta: the first save and the one after the first run are checkpoints, which number no delta.
        var delta = new GrainState<PaperVenueDelta>(null!);
        await storage.ReadStateAsync("venue-delta-" + PaperVenueJournal.SlotOf(orders - 2).ToString(CultureInfo.InvariantCulture), VenueId, delta, Ct);
        Assert.Equal(orders - 2, delta.State.Number);
        var stored = Assert.Single(delta.State.Orders!);
        Assert.Null(stored.Matching);
        Assert.Null(delta.State.Change);
        Assert.Null(delta.State.RemovedOrderIds);
        Assert.InRange(_serializer.Serialize(delta.State).Length, 1, 900);

        await using var restarted = await StartAsync(new GrainStoragePaperVenueStore(storage), time);
        var again = restarted.GetClient(AccountId);
        var first = await again.GetOrderAsync(ids[0], Ct);
        Assert.NotNull(first);
        Assert.Equal(OrderStatus.Filled, first.Status);
        Assert.Equal(1m, first.FilledQuantity);
        Assert.Equal(ids[0], (await again.GetOrderByClientOrderIdAsync("c-0", Ct))?.OrderId);
        Assert.Equal(OrderStatus.Filled, (await again.GetOrderAsync(ids[^1], Ct))?.Status);
        var executions = await again.GetExecutionsSinceAsync(Start, Ct);
        Assert.Equal(ids, executions.Select(e => e.OrderId));
        Assert.All(executions, e => Assert.Equal(100.05m, e.Price));

        // A repeated client order id of an archived order answers with that order instead of trading again.
        Assert.Equal(ids[0], (await again.SubmitOrderAsync(MarketBuy(0), Ct)).OrderId);
        Assert.Equal(orders, Assert.Single(await again.GetPositionsAsync(Ct)).Quantity);
        Assert.Empty(await again.ListOpenOrdersAsync(Ct));
    }

    [Fact]
    public async Task ARestingOrder_KeepsItsAccountsFeeSchedule_ThroughTheStore_AndFillsWithItAfterARestart()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var time = new FakeTimeProvider(Start);
        var perShare = new FeeModelSpec { Kind = FeeModelKind.PerShare, PerShareRate = 0.01m, MinimumPerOrder = 2.00m, IncludeRegulatoryFees = false };
        string orderId;
        await using (var exchange = await StartAsync(new GrainStoragePaperVenueStore(storage), time))
        {
            exchange.ConfigureAccount(AccountId, new PaperAccountSettings { FeeModel = perShare });
            var resting = MarketBuy(0) with { Type = OrderType.Limit, LimitPrice = 99m, TimeInForce = TimeInForce.Gtc, Quantity = 100m };
            orderId = (await exchange.GetClient(AccountId).SubmitOrderAsync(resting, Ct)).OrderId;
        }

        // The restarted venue matches before the account configures it again: the order still pays per share.
        await using var restarted = await StartAsync(new GrainStoragePaperVenueStore(storage), time);
        time.Advance(TimeSpan.FromSeconds(1));
        await restarted.UpdateQuoteAsync(new QuoteTick("AAPL", time.GetUtcNow(), 98.9m, 1_000m, 99m, 1_000m), Ct);
        var fill = Assert.Single(await restarted.GetClient(AccountId).GetExecutionsSinceAsync(Start, Ct));
        Assert.Equal((orderId, 100m, 2.00m), (fill.OrderId, fill.Quantity, fill.Fee));
    }

    [Fact]
    public async Task MaxRetainedOrders_OverGrainStorage_ArchivesEarlyMidRing_AndARestartFindsEveryOrder()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var time = new FakeTimeProvider(Start);
        static void Bound(PaperExchangeOptions o) => o.MaxRetainedOrders = 20;
        var ids = new List<string>();
        await using (var exchange = await StartAsync(new GrainStoragePaperVenueStore(storage), time, Bound))
        {
            // More than two rings of deltas, and an early archive pass every ten orders or so, all inside the hour.
            var client = exchange.GetClient(AccountId);
            for (var i = 0; i < 300; i++)
            {
                ids.Add((await client.SubmitOrderAsync(MarketBuy(i), Ct)).OrderId);
                time.Advance(TimeSpan.FromMilliseconds(10));
            }
        }

        // The ring checkpoints alone write three chunks here (measured without early passes); each early pass adds one.
        var checkpoint = new GrainState<PaperVenueCheckpoint>(new PaperVenueCheckpoint());
        await storage.ReadStateAsync("venue-checkpoint", VenueId, checkpoint, Ct);
        Assert.True(checkpoint.State.ArchiveChunks > 20, $"{checkpoint.State.ArchiveChunks} chunks");

        await using var restarted = await StartAsync(new GrainStoragePaperVenueStore(storage), time, Bound);
        var again = restarted.GetClient(AccountId);
        foreach (var id in ids)
        {
            Assert.Equal(OrderStatus.Filled, (await again.GetOrderAsync(id, Ct))?.Status);
        }

        Assert.Equal(ids, (await again.GetExecutionsSinceAsync(Start, Ct)).Select(e => e.OrderId));
        Assert.Equal(300m, Assert.Single(await again.GetPositionsAsync(Ct)).Quantity);
        Assert.Equal(ids[0], (await again.SubmitOrderAsync(MarketBuy(0), Ct)).OrderId);
    }

    [Fact]
    public async Task LoadAsync_TheCheckpointAndDeltaLayoutsOfEarlierVersions_LoadAsSavedAndMoveHistoryToTheArchive()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var filled = Filled("o1", "c1", 1);
        var execution = Execution(filled, 1);
        var full = new PaperVenueSnapshot
        {
            Orders = [filled],
            Executions = [execution],
            Positions = [new Position { Symbol = "AAPL", Quantity = 1m, CostBasis = 100m }],
            NextSequence = 2,
        };

        // The layout before archive chunks: a checkpoint with final orders and executions, deltas holding the whole change,
        // and the archive as one record.
        await storage.WriteStateAsync("venue-checkpoint", VenueId, new GrainState<PaperVenueCheckpoint>(new PaperVenueCheckpoint { Snapshot = full, Through = 0 }), Ct);
        var working = Working("o2", "c2", 2);
        var change = new PaperVenueChange { Orders = [working], NextSequence = 3 };
        await storage.WriteStateAsync("venue-delta-1", VenueId, new GrainState<PaperVenueDelta>(new PaperVenueDelta { Number = 1, Change = change }), Ct);
        var old = Filled("o0", "c0", 0);
        await storage.WriteStateAsync("venue", ArchiveId, new GrainState<PaperArchiveRecord>(new PaperArchiveRecord { Orders = [old], Executions = [Execution(old, 0)] }), Ct);

        var store = new GrainStoragePaperVenueStore(storage);
        var loaded = await store.LoadAsync(AccountId, Ct);
        Assert.NotNull(loaded);
        var expected = change.ApplyTo(full);
        Assert.Equal(Json(expected), Json(loaded));
        Assert.Equal("c0", (await store.FindArchivedOrderAsync(AccountId, "o0", Ct))?.Order.ClientOrderId);

        // The next checkpoint keeps the working order and moves the final one and the execution into an archive chunk.
        await store.SaveAsync(AccountId, null, () => loaded, Ct);
        var restarted = new GrainStoragePaperVenueStore(storage);
        var reloaded = await restarted.LoadAsync(AccountId, Ct);
        Assert.NotNull(reloaded);
        Assert.Equal(["o2"], reloaded.Orders.Select(r => r.Order.OrderId));
        Assert.Empty(reloaded.Executions);
        Assert.True(reloaded.ArchivedBefore > execution.Timestamp);
        // Everything of the order but the matching state an earlier build kept for it: a final order has none.
        Assert.Equal(Json(filled with { Matching = null }), Json((await restarted.FindArchivedOrderAsync(AccountId, "o1", Ct))!));
        Assert.Equal("o1", (await restarted.FindArchivedOrderByClientOrderIdAsync(AccountId, "c1", Ct))?.Order.OrderId);
        Assert.Equal("o0", (await restarted.FindArchivedOrderAsync(AccountId, "o0", Ct))?.Order.OrderId);
        Assert.Equal([Execution(old, 0).ExecutionId, execution.ExecutionId],
            (await restarted.LoadArchivedExecutionsAsync(AccountId, Start, Ct)).Select(e => e.ExecutionId));
    }

    [Fact]
    public async Task ArchiveAsync_OrdersACheckpointAlreadyArchived_AreNotWrittenAgain()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var store = new GrainStoragePaperVenueStore(storage);
        var filled = Filled("o1", "c1", 1);
        var snapshot = new PaperVenueSnapshot { Orders = [filled], Executions = [Execution(filled, 1)], NextSequence = 2 };
        await store.SaveAsync(AccountId, null, () => snapshot, Ct);
        var afterCheckpoint = storage.Count;

        await store.ArchiveAsync(AccountId, new PaperVenueArchive { Orders = [filled], Executions = snapshot.Executions }, Ct);

        Assert.Equal(afterCheckpoint, storage.Count);
        Assert.Equal("o1", (await new GrainStoragePaperVenueStore(storage).FindArchivedOrderAsync(AccountId, "o1", Ct))?.Order.OrderId);
    }

    [Fact]
    public async Task Crash_AfterARingCheckpointsChunk_BeforeItsCheckpoint_ArchivesNoOrderOrFillTheVenueNeverKept()
    {
        var storage = new FailOnceStorage(new MemoryGrainStorage(_serializer));
        var time = new FakeTimeProvider(Start);
        var saved = FirstRunDeltas + 1;
        await using (var exchange = await StartAsync(new GrainStoragePaperVenueStore(storage), time))
        {
            // The first save is a checkpoint, the account's first run of deltas follows, and the save after them ends the run:
            // its chunk is written, then the silo dies before its checkpoint (the write fails and nothing more reaches storage).
            var client = exchange.GetClient(AccountId);
            for (var i = 0; i < saved; i++)
            {
                await client.SubmitOrderAsync(MarketBuy(i), Ct);
                time.Advance(TimeSpan.FromMilliseconds(10));
            }

            storage.FailNext("venue-checkpoint");
            var lost = await Assert.ThrowsAsync<BrokerException>(() => client.SubmitOrderAsync(MarketBuy(saved), Ct));
            Assert.Equal(BrokerErrorKind.OutcomeUnknown, lost.Kind);
        }

        // The order whose outcome was unknown was never kept: not by its client order id, not as a fill to back-fill.
        await using var restarted = await StartAsync(new GrainStoragePaperVenueStore(storage), time);
        var again = restarted.GetClient(AccountId);
        Assert.Null(await again.GetOrderByClientOrderIdAsync(MarketBuy(saved).ClientOrderId, Ct));
        Assert.Equal(saved, (await again.GetExecutionsSinceAsync(Start, Ct)).Count);
        Assert.Equal(saved, Assert.Single(await again.GetPositionsAsync(Ct)).Quantity);
    }

    [Fact]
    public async Task FirstSave_WhoseAccountIndexWriteFails_KeepsNothing_AndTheNextSaveListsTheAccount()
    {
        var storage = new FailOnceStorage(new MemoryGrainStorage(_serializer));
        var time = new FakeTimeProvider(Start);
        await using (var exchange = await StartAsync(new GrainStoragePaperVenueStore(storage), time))
        {
            var client = exchange.GetClient(AccountId);
            storage.FailNext("venue", "paper-venue-index");
            var lost = await Assert.ThrowsAsync<BrokerException>(() => client.SubmitOrderAsync(MarketBuy(0), Ct));
            Assert.Equal(BrokerErrorKind.OutcomeUnknown, lost.Kind);
            Assert.Null(await client.GetOrderByClientOrderIdAsync("c-0", Ct));
            await client.SubmitOrderAsync(MarketBuy(1), Ct);
        }

        // The venue answered as if c-0 never happened, so a restart must agree; and it must find the account to restore.
        var store = new GrainStoragePaperVenueStore(storage);
        Assert.Equal([AccountId], await store.ListAccountsAsync(Ct));
        await using var restarted = await StartAsync(store, time);
        var again = restarted.GetClient(AccountId);
        Assert.Null(await again.GetOrderByClientOrderIdAsync("c-0", Ct));
        Assert.Equal(OrderStatus.Filled, (await again.GetOrderByClientOrderIdAsync("c-1", Ct))?.Status);
        Assert.Equal(1m, Assert.Single(await again.GetPositionsAsync(Ct)).Quantity);
    }

    private static PaperOrderRecord Working(string orderId, string clientOrderId, long sequence)
    {
        var order = Order.Create(orderId, new OrderRequest
        {
            ClientOrderId = clientOrderId,
            Symbol = "AAPL",
            Side = OrderSide.Buy,
            Type = OrderType.Limit,
            Quantity = 1m,
            LimitPrice = 99m,
        }, Start.AddSeconds(sequence));
        return new PaperOrderRecord { Order = order, Matching = SimulatedOrder.From(order), Sequence = sequence };
    }

    private static PaperOrderRecord Filled(string orderId, string clientOrderId, long sequence)
    {
        var working = Working(orderId, clientOrderId, sequence);
        var order = working.Order with
        {
            Status = OrderStatus.Filled,
            FilledQuantity = 1m,
            AverageFillPrice = 100m,
            UpdatedAt = working.Order.CreatedAt.AddMilliseconds(5),
            ExecutionIds = [orderId + "-1"],
        };
        // With matching state, as builds before final orders dropped it wrote them.
        return working with { Order = order, Matching = SimulatedOrder.From(working.Order) with { LeavesQuantity = 0m } };
    }

    private static Execution Execution(PaperOrderRecord record, int step) => new()
    {
        ExecutionId = record.Order.OrderId + "-1",
        OrderId = record.Order.OrderId,
        ClientOrderId = record.Order.ClientOrderId,
        Symbol = "AAPL",
        Side = OrderSide.Buy,
        Quantity = 1m,
        Price = 100m,
        Timestamp = Start.AddSeconds(step),
    };

    private string Json<T>(T value) => System.Text.Encoding.UTF8.GetString(_serializer.Serialize(value));

    /// <summary>Fails the next write of one record when told to, as a storage outage (or a silo dying before the write) would.</summary>
    private sealed class FailOnceStorage(MemoryGrainStorage inner) : ForwardingGrainStorage(inner)
    {
        private (string StateName, string? GrainType)? _fail;

        public void FailNext(string stateName, string? grainType = null) => _fail = (stateName, grainType);

        public override Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        {
            if (_fail is { } fail && fail.StateName == stateName && (fail.GrainType is null || fail.GrainType == grainId.Type.Value))
            {
                _fail = null;
                throw new IOException("storage unavailable");
            }

            return base.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
        }
    }
}
