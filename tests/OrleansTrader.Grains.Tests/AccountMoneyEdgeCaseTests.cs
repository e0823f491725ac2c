using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>Money through the account grain: transfers in a drawdown, an account funded by a deposit, reservations that follow the position, closing with no buying power left, replacements.</summary>
public sealed class AccountMoneyEdgeCaseTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    // docs/grains.md: "A transfer is neither a gain nor a loss ... the breaker's daily loss and its drawdown never see it."
    // A 5% drawdown (equity 9,500 against 10,000) and a withdrawal of 5,000 of free cash: the drawdown breaker (10%) must
    // stay quiet, since nothing was lost.
    [Fact]
    public async Task AWithdrawal_DuringADrawdown_DoesNotTripTheDrawdownBreaker()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "dd-withdraw", 10_000m,
            policy: new BreakerPolicy { DailyLossLimit = 5_000m, MaxDrawdownPercent = 10m });
        await Market.QuoteAsync(cluster, "ADD", 100m, 100m);
        await FillAsync(account, Market.MarketOrder("dd-buy", "ADD", OrderSide.Buy, 50m), 1);
        await Market.QuoteAsync(cluster, "ADD", 90m, 90m);
        var before = (await account.RefreshAsync())!;

        var withdrawal = await account.TransferCashAsync(new TransferCash { TransferId = "wd-dd", Amount = -5_000m });
        var after = (await account.RefreshAsync())!;

        Assert.Equal((9_500m, 10_000m, TradingState.Active), (before.Equity!.Value, before.HighWaterMark, before.TradingState));
        Assert.True(withdrawal.Succeeded, withdrawal.Message);
        Assert.Equal(4_500m, after.Equity);
        Assert.Equal(TradingState.Active, after.TradingState);
    }

    // The same, for an account the withdrawal wakes (idle, or after a restart): it has no marks yet, and must value its
    // positions before it scales the high-water mark. Long 50 @ 100 marked at 84: equity 9,200, an 8% drawdown. Moving
    // the mark by the 4,900 withdrawn instead (5,100 against an equity of 4,300) makes a 15.7% drawdown that halts it.
    [Fact]
    public async Task AWithdrawal_ThatWakesTheAccount_DuringADrawdown_DoesNotTripTheDrawdownBreaker()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time, dir.File("wake.db"));
        var account = await TestAccounts.OpenAsync(cluster, "dd-wake", 10_000m,
            policy: new BreakerPolicy { DailyLossLimit = 5_000m, MaxDrawdownPercent = 10m });
        await Market.QuoteAsync(cluster, "ADW", 100m, 100m);
        await FillAsync(account, Market.MarketOrder("dw-buy", "ADW", OrderSide.Buy, 50m), 1);
        await Market.QuoteAsync(cluster, "ADW", 84m, 84m);
        Assert.Equal(9_200m, (await account.RefreshAsync())!.Equity);

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        await Market.QuoteAsync(cluster, "ADW", 84m, 84m);
        account = cluster.Account("dd-wake");
        var withdrawal = await account.TransferCashAsync(new TransferCash { TransferId = "wd-wake", Amount = -4_900m });
        var after = (await account.RefreshAsync())!;

        Assert.True(withdrawal.Succeeded, withdrawal.Message);
        Assert.Equal(4_300m, after.Equity);
        Assert.Equal(TradingState.Active, after.TradingState);
    }

    // A margin account values its positions to know what it may withdraw: one the withdrawal wakes has no marks yet and
    // must fetch them, not answer that nothing can be withdrawn. Long 50 @ 100: 5,000 of cash is free, and 7,500 of equity
    // is above the positions' initial margin.
    [Fact]
    public async Task AMarginWithdrawal_ThatWakesTheAccount_ValuesItsPositions()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time, dir.File("margin-wake.db"));
        var account = cluster.Account("margin-wake");
        Assert.True((await account.OpenAsync(new OpenAccount
        {
            Cash = 10_000m,
            AccountType = Domain.Portfolio.AccountType.Margin,
            RiskLimits = TestAccounts.Loose,
        })).Succeeded);
        await Market.QuoteAsync(cluster, "AMW", 100m, 100m);
        await FillAsync(account, Market.MarketOrder("mw-buy", "AMW", OrderSide.Buy, 50m), 1);

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        await Market.QuoteAsync(cluster, "AMW", 100m, 100m);
        var withdrawal = await cluster.Account("margin-wake").TransferCashAsync(new TransferCash { TransferId = "wd-mw", Amount = -1_000m });

        Assert.True(withdrawal.Succeeded, withdrawal.Message);
    }

    // An account opened empty and funded by a deposit, which then gains 10% in a day, has a total return of 10%.
    [Fact]
    public async Task AnAccountOpenedEmpty_AndFundedByADeposit_ReportsItsReturn()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "funded-later", 0m);
        Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = "dep-0", Amount = 10_000m })).Succeeded);
        await Market.QuoteAsync(cluster, "AEM", 100m, 100m);
        await FillAsync(account, Market.MarketOrder("em-buy", "AEM", OrderSide.Buy, 100m), 1);
        time.Advance(TimeSpan.FromHours(1));
        await Market.QuoteAsync(cluster, "AEM", 110m, 110m);
        await account.RefreshAsync();

        var performance = (await account.GetPerformanceAsync(null, null))!;

        Assert.Equal(1_000m, performance.Summary.Pnl);
        Assert.NotNull(performance.Summary.TotalReturn);
        Assert.Equal(0.1d, (double)performance.Summary.TotalReturn!.Value, 9);
    }

    // Margin, long 100 @ 100 (equity 10,000). A sell of 150 @ 100 fills 100 (the bid shows 100) and works 50 more, which
    // will open a short of 5,000: the account must keep 5,000 reserved, leaving 2 x 10,000 - 5,000 = 15,000 of buying power.
    [Fact]
    public async Task AFlippingSell_AfterItsClosingPartFills_KeepsTheShortItWillOpenReserved()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = cluster.Account("flip-sell");
        Assert.True((await account.OpenAsync(new OpenAccount
        {
            Cash = 10_000m,
            AccountType = Domain.Portfolio.AccountType.Margin,
            RiskLimits = TestAccounts.Loose,
            BreakerPolicy = BreakerPolicy.Default,
        })).Succeeded);
        await Market.QuoteAsync(cluster, "AFL", 100m, 100m);
        await FillAsync(account, Market.MarketOrder("fl-buy", "AFL", OrderSide.Buy, 100m), 1);
        await Market.QuoteAsync(cluster, "AFL", 100m, 100m, size: 100m);
        await FillAsync(account, Market.Limit("fl-sell", "AFL", OrderSide.Sell, 150m, 100m), 2);

        var snapshot = (await account.GetSnapshotAsync())!;

        Assert.Equal((0m, 1), (snapshot.LongMarketValue!.Value + snapshot.ShortMarketValue!.Value, snapshot.OpenOrderCount));
        // The regulatory fees estimated on the sell (cents) ride on top of the 5,000.
        Assert.InRange(snapshot.Reserved, 5_000m, 5_001m);
        Assert.InRange(snapshot.BuyingPower!.Value, 14_999m, 15_000m);
    }

    // Margin, 20,000 cash, long 100 @ 100 (equity 20,000). A resting sell of 100 @ 110 only closes the long, so it reserves
    // just its fee. A market sell of 100 then fills first and closes the long: from now on the resting sell opens a short
    // of 100 x 110 = 11,000 when it fills, and that must be held (buying power 2 x 20,000 - 11,000 = 29,000 at most).
    [Fact]
    public async Task ARestingClosingSell_WhoseLongAnotherSellClosed_ReservesTheShortItWillOpen()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = cluster.Account("close-taken");
        Assert.True((await account.OpenAsync(new OpenAccount
        {
            Cash = 20_000m,
            AccountType = Domain.Portfolio.AccountType.Margin,
            RiskLimits = TestAccounts.Loose,
            BreakerPolicy = BreakerPolicy.Default,
        })).Succeeded);
        await Market.QuoteAsync(cluster, "AST", 100m, 100m);
        await FillAsync(account, Market.MarketOrder("st-buy", "AST", OrderSide.Buy, 100m), 1);
        var resting = await account.PlaceOrderAsync(Market.Limit("st-rest", "AST", OrderSide.Sell, 100m, 110m));
        Assert.True(resting.Succeeded, resting.Denial?.Message);
        await FillAsync(account, Market.MarketOrder("st-mkt", "AST", OrderSide.Sell, 100m), 2);

        var snapshot = (await account.GetSnapshotAsync())!;

        Assert.Equal((0m, 1), (snapshot.LongMarketValue!.Value + snapshot.ShortMarketValue!.Value, snapshot.OpenOrderCount));
        Assert.True(snapshot.Reserved >= 11_000m, $"reserved {snapshot.Reserved}");
        Assert.True(snapshot.BuyingPower <= 29_000m, $"buying power {snapshot.BuyingPower}");
    }

    // A cash account that spent all its cash on 100 @ 100 must be able to sell them: the sale pays its own (sell-side
    // regulatory) fees out of its 10,000 of proceeds; it needs no buying power.
    [Fact]
    public async Task AFullyInvestedCashAccount_CanClosePosition()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "all-in", 10_000m);
        await Market.QuoteAsync(cluster, "ACL", 100m, 100m);
        await FillAsync(account, Market.MarketOrder("cl-buy", "ACL", OrderSide.Buy, 100m), 1);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Cash);

        var close = await account.ClosePositionAsync("ACL");

        Assert.True(close.Succeeded, $"{close.Denial?.ReasonCode}: {close.Denial?.Message}");
    }

    // A resting buy of 100 @ 48 replaced at 49: the account holds the replacement's 4,900, not both and not the old one.
    [Fact]
    public async Task AReplacedOrder_HandsItsReservationToTheReplacement()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "replace-whole", 10_000m);
        await Market.QuoteAsync(cluster, "ARP", 50m, 50m);
        var placed = await account.PlaceOrderAsync(Market.Limit("rp-1", "ARP", OrderSide.Buy, 100m, 48m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order!.OrderId), o => o!.BrokerOrderId is not null && !o.InFlight, "accepted");

        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = placed.Order!.OrderId, Replacement = new OrderReplacement { LimitPrice = 49m } });
        Assert.True(replaced.Succeeded, replaced.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order!.OrderId), o => o!.Status == OrderStatus.Replaced, "replaced");
        var snapshot = (await account.GetSnapshotAsync())!;

        Assert.Equal((1, 4_900m, 5_100m), (snapshot.OpenOrderCount, snapshot.Reserved, snapshot.BuyingPower!.Value));
    }

    // Partly filled (40 of 100 @ 50), then replaced at 51 for the same total: the replacement works 60 and holds 60 x 51.
    [Fact]
    public async Task APartlyFilledOrder_Replaced_HoldsOnlyTheReplacementsReservation()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "replace-partly", 10_000m);
        await Market.QuoteAsync(cluster, "ARQ", 50m, 50m, size: 40m);
        await FillAsync(account, Market.Limit("rq-1", "ARQ", OrderSide.Buy, 100m, 50m), 1);
        await Market.QuoteAsync(cluster, "ARQ", 52m, 52m);
        var old = (await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null)).Single();
        await Eventually.WaitAsync(() => account.GetOrderAsync(old.OrderId), o => o!.BrokerOrderId is not null && !o.InFlight, "accepted");

        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = old.OrderId, Replacement = new OrderReplacement { Quantity = 100m, LimitPrice = 51m } });
        Assert.True(replaced.Succeeded, replaced.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrderAsync(old.OrderId), o => o!.Status == OrderStatus.Replaced, "replaced");
        var snapshot = (await account.GetSnapshotAsync())!;

        Assert.Equal((60m, 1), (replaced.Order!.Quantity, snapshot.OpenOrderCount));
        Assert.Equal(8_000m, snapshot.Cash);
        Assert.Equal(3_060m, snapshot.Reserved);
    }

    private static Task<TradingCluster> StartAsync(FakeTimeProvider time, string? sqlitePath = null) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        Time = time,
        SqlitePath = sqlitePath,
        ConfigureSilo = silo => silo.Configure<AccountGrainOptions>(o =>
        {
            o.SignalInterval = TimeSpan.FromDays(30);
            o.ReconcileInterval = TimeSpan.FromDays(30);
        }),
    });
}
