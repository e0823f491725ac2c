using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

/// <summary>
/// A built-in strategy restored from its snapshot (a silo's restart, a stop and a start) while its exit waits for the
/// protective stop's cancel: the exit is still sent once, when the cancel is confirmed.
/// </summary>
public sealed class ProtectiveStopRestoreTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    /// <summary>
    /// The snapshot kept only the stop's id: the restored strategy took the confirmed cancel for a stop withdrawn for no
    /// reason and placed a new one, and the exit was lost (sent again only if a later bar asked for it anew).
    /// </summary>
    [Fact]
    public void AnExitWaitingForTheStopsCancel_IsSentByTheRestoredStrategy_OnceTheCancelIsConfirmed()
    {
        var (before, stopId, snapshot) = ExitAskedWhileTheStopIsOpen();
        var (strategy, context) = Restored(snapshot, before);

        Confirm(context, strategy, stopId, OrderStatus.Canceled);

        var exit = Assert.Single(context.DrainIntents());
        Assert.Equal((OrderType.Market, OrderSide.Sell, 10m), (exit.Type, exit.Side, exit.Quantity));
        Assert.Equal("RSI(2) 92.31 reached exit 70", exit.Reason);
    }

    /// <summary>
    /// The cancel asked for before the restart may never have gone (held while the account was HALTED, or its call
    /// failed): the restored strategy asks for it again at its first live bar, though that bar no longer asks for the
    /// exit, and the exit goes once it is confirmed.
    /// </summary>
    [Fact]
    public void TheRestoredStrategy_AsksForTheStopsCancelAgain_AtItsFirstBar()
    {
        var (before, stopId, snapshot) = ExitAskedWhileTheStopIsOpen();
        var (strategy, context) = Restored(snapshot, before);

        strategy.OnBar(Bar(5, 100m));

        Assert.Equal([stopId], context.DrainCancels());
        Assert.Empty(context.DrainIntents());
        Confirm(context, strategy, stopId, OrderStatus.Canceled);
        var exit = Assert.Single(context.DrainIntents());
        Assert.Equal((OrderType.Market, OrderSide.Sell, 10m), (exit.Type, exit.Side, exit.Quantity));
    }

    /// <summary>
    /// Restored from a snapshot taken before the exit was sent (a crash before the write after the send): the exit the
    /// account already holds is the strategy's open order, and no second one goes when the stop's cancel is confirmed or
    /// when the exit fills.
    /// </summary>
    [Fact]
    public void AnExitSentBeforeTheRestart_IsNotSentAgain()
    {
        var (before, stopId, snapshot) = ExitAskedWhileTheStopIsOpen();
        var (strategy, context) = Restored(snapshot, before);
        var sent = new StrategyOrderView
        {
            ClientOrderId = "strat-9", Symbol = "SPY", Side = OrderSide.Sell, Type = OrderType.Market, Quantity = 10m, Status = OrderStatus.Accepted,
        };
        context.TrackOpenOrder(sent);

        Confirm(context, strategy, stopId, OrderStatus.Canceled);
        Assert.Empty(context.DrainIntents());
        context.SetPosition("SPY", 0m, 0m);
        Confirm(context, strategy, sent.ClientOrderId, OrderStatus.Filled, 10m);
        strategy.OnBar(Bar(5, 120m));

        Assert.Empty(context.DrainIntents());
        Assert.Empty(context.DrainCancels());
    }

    /// <summary>A snapshot of the build before the pending exit was kept restores: its open stop is followed as before.</summary>
    [Fact]
    public void ASnapshotWithoutAPendingExit_RestoresAsBefore()
    {
        var (before, stopId, snapshot) = ExitAskedWhileTheStopIsOpen();
        var stored = JsonNode.Parse(JsonSerializer.Serialize(snapshot))!.AsObject();
        stored.Remove("ProtectiveStopCloseReason");
        var (strategy, context) = Restored(JsonSerializer.Deserialize<StrategyState>(stored.ToJsonString())!, before);

        strategy.OnBar(Bar(5, 100m));
        Assert.Empty(context.DrainCancels());
        Confirm(context, strategy, stopId, OrderStatus.Canceled);

        var stop = Assert.Single(context.DrainIntents());
        Assert.Equal((OrderType.TrailingStop, OrderSide.Sell, 10m), (stop.Type, stop.Side, stop.Quantity));
    }

    /// <summary>Long 10 with its stop open, then a bar whose RSI asks for the exit: the stop's cancel is asked for and the exit waits.</summary>
    private static (StrategyContext Context, string StopId, StrategyState Snapshot) ExitAskedWhileTheStopIsOpen()
    {
        var strategy = Rsi();
        var context = new StrategyContext("strat", ["SPY"], T0);
        strategy.OnStart(context);
        strategy.OnBar(Bar(0, 100m));
        strategy.OnBar(Bar(1, 99m));
        strategy.OnBar(Bar(2, 98m));
        var entry = Assert.Single(context.DrainIntents());
        context.SetPosition("SPY", 10m, 98m);
        Confirm(context, strategy, entry.ClientOrderId, OrderStatus.Filled, 10m);
        var stop = Assert.Single(context.DrainIntents());
        Assert.Equal(OrderType.TrailingStop, stop.Type);

        strategy.OnBar(Bar(3, 110m));
        Assert.Equal([stop.ClientOrderId], context.DrainCancels());
        Assert.Empty(context.DrainIntents());
        return (context, stop.ClientOrderId, strategy.GetState());
    }

    /// <summary>A new strategy restored from the snapshot and started as the host starts it: the position and open orders it stored.</summary>
    private static (RsiMeanReversionStrategy Strategy, StrategyContext Context) Restored(StrategyState snapshot, StrategyContext before)
    {
        var strategy = Rsi();
        strategy.Restore(snapshot);
        var context = new StrategyContext("strat", ["SPY"], T0.AddMinutes(4), before.NextSequence);
        context.SetPosition("SPY", before.GetPosition("SPY").Quantity, before.GetPosition("SPY").AveragePrice);
        foreach (var order in before.OpenOrders)
        {
            context.TrackOpenOrder(order);
        }

        strategy.OnStart(context);
        return (strategy, context);
    }

    private static void Confirm(StrategyContext context, IStrategy strategy, string clientOrderId, OrderStatus status, decimal filled = 0m)
    {
        var update = new StrategyOrderUpdate { ClientOrderId = clientOrderId, Status = status, FilledQuantity = filled, Timestamp = T0 };
        context.ApplyOrderUpdate(update);
        strategy.OnOrderUpdate(update);
    }

    private static RsiMeanReversionStrategy Rsi() =>
        new(new RsiMeanReversionParameters { Symbol = "SPY", Quantity = 10m, Period = 2, TrailingStopPercent = 2m });

    private static Bar Bar(int minute, decimal close) => new("SPY", T0.AddMinutes(minute), TimeSpan.FromMinutes(1), close, close, close, close, 1_000m);
}
