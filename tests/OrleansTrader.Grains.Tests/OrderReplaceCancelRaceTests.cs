using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Brokers;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>Replace and cancel racing the venue: a replace the venue took whose answer was lost, with a fill of the old order on its way.</summary>
public sealed class OrderReplaceCancelRaceTests
{
    // The venue filled 4 of the old order (its report seconds away) and took the replace, sizing the replacement at the
    // 6 left; the answer to the replace was lost. The replacement then comes with the venue's report (or reconciliation),
    // and must take the venue's 6 as the answered replace does: left at 10 it waited for 4 that never fill, PartiallyFilled
    // with 4 x 48.5 reserved for as long as it lived.
    [Fact]
    public async Task AReplaceWhoseAnswerWasLost_TakesTheVenuesQuantityNetOfTheOldOrdersFill_AndItsReservation()
    {
        await using var cluster = await StartAsync();
        var (account, _, newId) = await ReplaceWithTheAnswerLostAsync(cluster, "aud-lost");
        var replacement = (await account.GetOrderAsync(newId))!;
        Assert.Equal((OrderStatus.Accepted, 6m), (replacement.Status, replacement.Quantity));
        Assert.Equal(6m * 48.5m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Single(await account.GetJournalAsync(0, 100), j => j.OrderId == newId && j.Action == "resized");

        await Market.QuoteAsync(cluster, "AUDL", 48.4m, 48.5m);
        _time.Advance(FillLatency);
        replacement = await Eventually.WaitAsync(() => account.GetOrderAsync(newId), o => o!.Status.IsFinal(), "the replacement filled");
        Assert.Equal((OrderStatus.Filled, 6m), (replacement!.Status, replacement.FilledQuantity));
        Assert.Equal(10m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("aud-lost").GetStateAsync()).State);
    }

    // The same lost answer: the old order ends Replaced on the venue's report, and must name its replacement (its view,
    // its event and its final state) as an order replaced by the answer does; it ended with no ReplacedByOrderId.
    [Fact]
    public async Task AnOrderReplacedWhileTheAnswerWasLost_NamesItsReplacement()
    {
        await using var cluster = await StartAsync();
        var (account, oldId, newId) = await ReplaceWithTheAnswerLostAsync(cluster, "aud-lost-by");

        var old = (await account.GetOrderAsync(oldId))!;
        Assert.Equal((OrderStatus.Replaced, newId, 4m), (old.Status, old.ReplacedByOrderId, old.FilledQuantity));
        var events = (await account.GetEventsAsync(0, 100)).Events;
        Assert.Equal(newId, events.Last(e => e.Order?.OrderId == oldId && e.Order.Status == OrderStatus.Replaced).Order!.ReplacedByOrderId);
    }

    // How long the venue holds a fill's report, on a clock only the test moves: the replace goes first however busy the
    // machine (on the real clock a loaded machine could let the report overtake it, and there was no race to test).
    private static readonly TimeSpan FillLatency = TimeSpan.FromSeconds(3);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));

    // The silo's broker clients, to see the venue's side of the race.
    private IBrokerClientFactory? _brokers;

    private Task<TradingCluster> StartAsync() => TradingCluster.StartAsync(new TradingClusterOptions
    {
        Time = _time,
        ConfigureSilo = silo =>
        {
            silo.Services.Configure<PaperExchangeOptions>(o => o.FillLatency = FillLatency);
            silo.Services.AddSingleton<IBrokerClientFactory>(sp => _brokers = new WrappingBrokerClientFactory(
                ActivatorUtilities.CreateInstance<BrokerClientFactory>(sp), client => new ReplaceAnswersLost(client)));
        },
    });

    /// <summary>Buy 10 at 49; the venue fills 4 (reported when the clock moves) and takes a replace to 48.5 whose answer is lost.</summary>
    private async Task<(IAccountGrain Account, string OldId, string NewId)> ReplaceWithTheAnswerLostAsync(TradingCluster cluster, string accountId)
    {
        await Market.QuoteAsync(cluster, "AUDL", 50m, 50.02m);
        var account = await TestAccounts.OpenAsync(cluster, accountId, 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit(accountId + "-1", "AUDL", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var oldId = placed.Order!.OrderId;

        await Market.QuoteAsync(cluster, "AUDL", 48.9m, 49m, size: 4m);
        // The quote reaches the venue on the tick stream: the replace goes once the venue has filled the 4 (else it could
        // replace all 10 before the fill, and there would be no race to test).
        var venue = _brokers!.GetClient(accountId, BrokerNames.Paper);
        await Eventually.WaitAsync(
            () => venue.GetOrderByClientOrderIdAsync(placed.Order.ClientOrderId), o => o?.FilledQuantity == 4m, "the venue's fill of 4");
        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = new OrderReplacement { LimitPrice = 48.5m } });
        var newId = replaced.Order!.OrderId;
        Assert.True(replaced.Order.InFlight, "the replace's answer was lost");
        Assert.Empty(await account.GetFillsAsync(0, 10));

        // The venue's reports (the fill, then the replace's) go out now, with the replace long at the venue.
        _time.Advance(FillLatency);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the old order's late fill");
        await Eventually.WaitAsync(() => account.GetOrderAsync(newId), o => o is { InFlight: false }, "the replacement reported");
        await Eventually.WaitAsync(() => account.GetOrderAsync(oldId), o => o!.Status == OrderStatus.Replaced, "the old order replaced");
        return (account, oldId, newId);
    }

    /// <summary>A broker client whose replace reaches the venue but whose answer is lost (a timeout after the venue acted).</summary>
    private sealed class ReplaceAnswersLost(IBrokerClient inner) : ForwardingBrokerClient(inner)
    {
        public override async Task<BrokerOrder> ReplaceOrderAsync(string orderId, OrderReplacement replacement, CancellationToken cancellationToken = default)
        {
            await base.ReplaceOrderAsync(orderId, replacement, cancellationToken);
            throw new BrokerException(BrokerErrorKind.OutcomeUnknown, "The replace's answer was lost.");
        }
    }
}
