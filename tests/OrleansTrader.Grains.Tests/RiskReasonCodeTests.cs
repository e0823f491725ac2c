using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>Every risk reason code, reached through the account grain (the order path), not the domain engine alone.</summary>
public sealed class RiskReasonCodeTests : IAsyncLifetime
{
    private static readonly BreakerActor Trader = new("trader", HasRiskRole: false);
    private TradingCluster? _cluster;

    private TradingCluster Cluster => _cluster!;

    public async ValueTask InitializeAsync() => _cluster = await TradingCluster.StartAsync(new TradingClusterOptions
    {
        AcceptUnlistedSymbols = false,
        Instruments =
        [
            new Instrument { Symbol = "RKA" },
            new Instrument { Symbol = "RKB" },
            new Instrument { Symbol = "NOQT" },
            new Instrument { Symbol = "NOTR", Tradable = false },
            new Instrument { Symbol = "NOQ2" },
        ],
    });

    public async ValueTask DisposeAsync() => await _cluster!.DisposeAsync();

    [Fact]
    public async Task PlaceOrder_DeniesWithEachReasonCode_ThroughTheAccountGrain()
    {
        await Market.QuoteAsync(Cluster, "RKA", 100m, 100m);
        await Market.QuoteAsync(Cluster, "RKB", 100m, 100m);
        await Market.QuoteAsync(Cluster, "NOTR", 100m, 100m);
        await Market.QuoteAsync(Cluster, "NOQT", 100m, 100m, at: TimeProvider.System.GetUtcNow().AddMinutes(-10));
        var acct = await TestAccounts.OpenAsync(Cluster, "risk", 100_000m, TestAccounts.Loose with
        {
            MaxOrderNotional = 20_000m,
            MaxPositionNotional = 30_000m,
            MaxOpenOrders = 3,
            AllowShortSelling = false,
        });
        var n = 0;
        async Task<string?> Deny(PlaceOrder order) => (await acct.PlaceOrderAsync(order)).Denial?.ReasonCode;
        PlaceOrder Mkt(string symbol, OrderSide side, decimal qty) => Market.MarketOrder($"r-{++n}", symbol, side, qty);
        PlaceOrder Lmt(string symbol, decimal qty, decimal price) => Market.Limit($"r-{++n}", symbol, OrderSide.Buy, qty, price);

        Assert.Equal(RiskReasonCodes.InstrumentUnknown, await Deny(Mkt("ZZZZ", OrderSide.Buy, 1m)));
        Assert.Equal(RiskReasonCodes.InstrumentNotTradable, await Deny(Mkt("NOTR", OrderSide.Buy, 1m)));
        Assert.Equal(RiskReasonCodes.QuantityInvalid, await Deny(Mkt("RKA", OrderSide.Buy, 0.5m)));
        Assert.Equal(RiskReasonCodes.OrderInvalid, await Deny(new PlaceOrder
        {
            Request = new OrderRequest { ClientOrderId = "r-shape", Symbol = "RKA", Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 1m },
        }));
        Assert.Equal(RiskReasonCodes.QuoteMissing, await Deny(Mkt("NOQ2", OrderSide.Buy, 1m)));
        Assert.Equal(RiskReasonCodes.QuoteStale, await Deny(Mkt("NOQT", OrderSide.Buy, 1m)));
        Assert.Equal(RiskReasonCodes.PriceOutsideBand, await Deny(Lmt("RKA", 1m, 80m)));
        Assert.Equal(RiskReasonCodes.NotionalExceedsMaxPerOrder, await Deny(Mkt("RKA", OrderSide.Buy, 201m)));
        Assert.Equal(RiskReasonCodes.ShortingNotAllowed, await Deny(Mkt("RKA", OrderSide.Sell, 1m)));

        // Two resting buys of 100 at 99 leave 10,200 of the 30,000 position room in RKA: 103 shares more at most.
        Assert.True((await acct.PlaceOrderAsync(Lmt("RKA", 100m, 99m))).Succeeded);
        Assert.True((await acct.PlaceOrderAsync(Lmt("RKA", 100m, 99m))).Succeeded);
        var positionDenial = await acct.PlaceOrderAsync(Lmt("RKA", 110m, 99m));
        Assert.Equal(RiskReasonCodes.PositionExceedsMax, positionDenial.Denial?.ReasonCode);
        Assert.Equal(103m, positionDenial.Denial!.MaxQuantity);

        // A third resting order reaches the open-order limit of 3.
        var third = Lmt("RKB", 1m, 99m);
        Assert.True((await acct.PlaceOrderAsync(third)).Succeeded);
        Assert.Equal(RiskReasonCodes.MaxOpenOrders, await Deny(Lmt("RKB", 1m, 99m)));
        var again = await acct.PlaceOrderAsync(third);
        Assert.True(again.IsExisting);

        Assert.True((await Cluster.Breaker("risk").TripAsync(TradingState.Reducing, Trader, "test")).Succeeded);
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, await Deny(Mkt("RKB", OrderSide.Buy, 1m)));
        Assert.True((await Cluster.Breaker("risk").TripAsync(TradingState.Halted, Trader, "test")).Succeeded);
        Assert.Equal(RiskReasonCodes.TradingHalted, await Deny(Mkt("RKB", OrderSide.Buy, 1m)));

        var invalid = await acct.SetRiskLimitsAsync(TestAccounts.Loose with { MaxOpenOrders = 0 });
        Assert.Equal(RiskReasonCodes.LimitsInvalid, invalid.ErrorCode);

        var small = await TestAccounts.OpenAsync(Cluster, "risk-bp", 1_000m);
        var poor = await small.PlaceOrderAsync(Market.Limit("bp-1", "RKB", OrderSide.Buy, 11m, 99m));
        Assert.Equal(RiskReasonCodes.InsufficientBuyingPower, poor.Denial?.ReasonCode);
        Assert.Equal(10m, poor.Denial!.MaxQuantity);
    }

    [Fact]
    public async Task PlaceOrder_DeniesWithRateLimitExceeded_WhenSubmitsExceedTheWindow()
    {
        await Market.QuoteAsync(Cluster, "RKA", 100m, 100m);
        var acct = await TestAccounts.OpenAsync(Cluster, "risk-rate", 1_000_000m, TestAccounts.Loose with { MaxSubmitsPerWindow = 3 });
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await acct.PlaceOrderAsync(Market.Limit($"rate-{i}", "RKA", OrderSide.Buy, 1m, 99m))).Succeeded);
        }

        var denied = await acct.PlaceOrderAsync(Market.Limit("rate-4", "RKA", OrderSide.Buy, 1m, 99m));
        Assert.Equal(RiskReasonCodes.RateLimitExceeded, denied.Denial?.ReasonCode);
    }

    // A quote stamped in the future (a feed or venue clock ahead of ours, a bad timestamp) has a negative age: it must
    // not pass the freshness check, or it stays "fresh" for as long as it is ahead plus the max age after the feed stops.
    [Fact]
    public async Task PlaceOrder_DeniesWithQuoteStale_OnAQuoteStampedInTheFuture()
    {
        await Market.QuoteAsync(Cluster, "RKA", 100m, 100m, at: TimeProvider.System.GetUtcNow().AddMinutes(10));
        var acct = await TestAccounts.OpenAsync(Cluster, "risk-future", 100_000m);

        var denied = await acct.PlaceOrderAsync(Market.MarketOrder("fq-1", "RKA", OrderSide.Buy, 1m));

        Assert.Equal(RiskReasonCodes.QuoteStale, denied.Denial?.ReasonCode);
    }

    [Fact]
    public async Task PlaceOrder_DeniesWithMarketClosed_OnANyseWeekend()
    {
        var saturday = new FakeTimeProvider(new DateTimeOffset(2026, 1, 10, 15, 0, 0, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = saturday, Calendar = NyseCalendar.Instance });
        await Market.QuoteAsync(cluster, "MKC", 10m, 10m);
        var acct = await TestAccounts.OpenAsync(cluster, "closed", 10_000m);

        var denied = await acct.PlaceOrderAsync(Market.MarketOrder("mc-1", "MKC", OrderSide.Buy, 1m));

        Assert.Equal(RiskReasonCodes.MarketClosed, denied.Denial?.ReasonCode);
    }
}
