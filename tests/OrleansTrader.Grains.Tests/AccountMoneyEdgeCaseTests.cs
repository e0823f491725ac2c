using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
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
        var account = await OpenMarginAsync(cluster, "flip-sell", 10_000m);
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
        var account = await OpenMarginAsync(cluster, "close-taken", 20_000m);
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

    // Margin, 10,000 of cash: 20,000 of buying power. A short sale of 220 at a limit of 90.01 (within the 10% band) with the
    // bid at 100 fills at 100, a short of 22,000: valued at its limit (19,802.20) it passed, and the account held 22,000 of
    // exposure on 10,000 of equity, beyond Reg-T's 2x. Valued at the bid it fills at, it needs 22,000 and is refused; 199
    // pass (200 x 100 is all the buying power, and the sale's regulatory fee comes on top).
    [Fact]
    public async Task AShortSaleLimitBelowTheBid_IsCheckedAtTheBidItFillsAt()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = await OpenMarginAsync(cluster, "short-below-bid", 10_000m);
        await Market.QuoteAsync(cluster, "ASB", 100m, 100m);

        var placed = await account.PlaceOrderAsync(Market.Limit("sb-1", "ASB", OrderSide.Sell, 220m, 90.01m));
        if (placed.Succeeded)
        {
            await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the short's fill");
        }

        var snapshot = (await account.GetSnapshotAsync())!;

        Assert.Equal((RiskReasonCodes.InsufficientBuyingPower, (decimal?)199m, 0m),
            (placed.Denial?.ReasonCode, placed.Denial?.MaxQuantity, snapshot.ShortMarketValue!.Value));
    }

    // A cash account of 10,000 and a trailing buy of 99 with a 5% trail off 100: its stop starts at 105 and only comes down,
    // so it buys at 105 or more once the price rises that far. Valued at the ask (9,900) it passed, and a rise to 107 bought
    // 10,593, leaving the cash account 593 overdrawn. Valued at the stop it starts at, it needs 10,395 and is refused; 95 pass.
    [Fact]
    public async Task ATrailingBuy_IsCheckedAtTheStopItStartsAt()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "trailing-buy", 10_000m);
        await Market.QuoteAsync(cluster, "ATB", 100m, 100m);
        await Market.TradeAsync(cluster, "ATB", 100m);

        var placed = await account.PlaceOrderAsync(new PlaceOrder
        {
            Request = new OrderRequest
            {
                ClientOrderId = "tb-1", Symbol = "ATB", Side = OrderSide.Buy, Type = OrderType.TrailingStop, Quantity = 99m,
                TrailPercent = 5m, TimeInForce = TimeInForce.Gtc,
            },
        });
        if (placed.Succeeded)
        {
            foreach (var price in new[] { 101m, 102m, 103m, 104m, 105m, 106m, 107m })
            {
                await Market.QuoteAsync(cluster, "ATB", price, price);
                await Market.TradeAsync(cluster, "ATB", price);
            }

            await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the trailing buy's fill");
        }

        var snapshot = (await account.GetSnapshotAsync())!;

        Assert.Equal((RiskReasonCodes.InsufficientBuyingPower, (decimal?)95m, 10_000m),
            (placed.Denial?.ReasonCode, placed.Denial?.MaxQuantity, snapshot.Cash));
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

    // A replace names the new total, fills included: a denial's maxQuantity must be in the same terms (the most the total can
    // be), or a client following it asks for the filled quantity too little. 40 of 100 filled here.
    [Fact]
    public async Task ADeniedReplaceOfAPartlyFilledOrder_GivesItsMaxQuantityAsTheNewTotal()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "replace-max", 10_000m);
        await Market.QuoteAsync(cluster, "ARM", 50m, 50m, size: 40m);
        await FillAsync(account, Market.Limit("rm-1", "ARM", OrderSide.Buy, 100m, 50m), 1);
        await Market.QuoteAsync(cluster, "ARM", 52m, 52m);
        var old = (await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null)).Single();
        await Eventually.WaitAsync(() => account.GetOrderAsync(old.OrderId), o => o!.BrokerOrderId is not null && !o.InFlight, "accepted");

        var denied = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = old.OrderId, Replacement = new OrderReplacement { Quantity = 1_000m, LimitPrice = 51m } });
        Assert.False(denied.Succeeded);
        var max = denied.Denial!.MaxQuantity!.Value;

        var tooMany = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = old.OrderId, Replacement = new OrderReplacement { Quantity = max + 1m, LimitPrice = 51m } });
        Assert.Equal(Domain.Risk.RiskReasonCodes.InsufficientBuyingPower, tooMany.Denial?.ReasonCode);
        var atMax = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = old.OrderId, Replacement = new OrderReplacement { Quantity = max, LimitPrice = 51m } });
        Assert.True(atMax.Succeeded, atMax.Denial?.Message);
        Assert.Equal(max - 40m, atMax.Order!.Quantity);
    }

    // When not even one more share passes the limit, a denied replace has no maxQuantity. It used to add the filled quantity
    // to the engine's 0 and advise the filled 40 as the new total: a replace the account refuses (REPLACE_LEAVES_NOTHING).
    [Fact]
    public async Task ADeniedReplaceThatNoQuantityPasses_GivesNoMaxQuantity_NotTheFilledQuantity()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "replace-none", 10_000m);
        await Market.QuoteAsync(cluster, "ARN", 50m, 50m, size: 40m);
        await FillAsync(account, Market.Limit("rn-1", "ARN", OrderSide.Buy, 100m, 50m), 1);
        await Market.QuoteAsync(cluster, "ARN", 52m, 52m);
        var old = (await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null)).Single();
        await Eventually.WaitAsync(() => account.GetOrderAsync(old.OrderId), o => o!.BrokerOrderId is not null && !o.InFlight, "accepted");
        // 20% of about 10,000 of equity: the 40 held at 51 (2,040) are already past the cap, so no total above them passes.
        var limits = (await account.GetRiskLimitsAsync())! with { MaxPositionPercentOfEquity = 20m };
        Assert.True((await account.SetRiskLimitsAsync(limits)).Succeeded);

        var denied = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = old.OrderId, Replacement = new OrderReplacement { Quantity = 1_000m, LimitPrice = 51m } });

        Assert.Equal((Domain.Risk.RiskReasonCodes.PositionExceedsMax, (decimal?)null), (denied.Denial?.ReasonCode, denied.Denial?.MaxQuantity));
    }

    // Random sequences of placements, cancels, replaces, quote moves, prints, transfers and closes on a cash and a margin
    // account (seeded, so a failure replays). Whenever the account is quiet the books must agree with the venue's fills:
    // cash, positions, the reservation of the working orders, buying power, no short in a cash account, reconciliation.
    [Theory]
    [InlineData(101, Domain.Portfolio.AccountType.Cash, false)]
    [InlineData(102, Domain.Portfolio.AccountType.Margin, true)]
    [InlineData(103, Domain.Portfolio.AccountType.Cash, true)]
    [InlineData(104, Domain.Portfolio.AccountType.Margin, false)]
    [InlineData(105, Domain.Portfolio.AccountType.Cash, false)]
    [InlineData(106, Domain.Portfolio.AccountType.Margin, true)]
    [InlineData(107, Domain.Portfolio.AccountType.Cash, true)]
    [InlineData(108, Domain.Portfolio.AccountType.Margin, false)]
    [InlineData(109, Domain.Portfolio.AccountType.Cash, false)]
    [InlineData(110, Domain.Portfolio.AccountType.Margin, true)]
    [InlineData(111, Domain.Portfolio.AccountType.Cash, true)]
    [InlineData(112, Domain.Portfolio.AccountType.Margin, false)]
    public async Task RandomOperations_KeepTheAccountsMoneyConsistentWithItsFills(int seed, Domain.Portfolio.AccountType type, bool latency)
    {
        var time = new FakeTimeProvider(Monday);
        // With latency, acknowledgements and fills reach the account a second later, and steps run in between.
        await using var cluster = await StartAsync(time, venueLatency: latency ? TimeSpan.FromSeconds(1) : TimeSpan.Zero);
        var id = $"random-{seed}";
        var account = cluster.Account(id);
        const decimal initial = 50_000m;
        Assert.True((await account.OpenAsync(new OpenAccount
        {
            Cash = initial,
            AccountType = type,
            RiskLimits = TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) },
        })).Succeeded);
        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient(id);
        var random = new Random(seed);
        string[] symbols = [$"RA{seed}", $"RB{seed}"];
        var mids = new Dictionary<string, decimal> { [symbols[0]] = 50m, [symbols[1]] = 120m };
        foreach (var symbol in symbols)
        {
            await Market.QuoteAsync(cluster, symbol, mids[symbol] - 0.05m, mids[symbol] + 0.05m, size: 100m);
        }

        var referencePrices = new Dictionary<string, decimal>();
        var transfers = 0m;
        var log = new List<string>();
        var n = 0;
        for (var step = 0; step < 300; step++)
        {
            var symbol = symbols[random.Next(symbols.Length)];
            var mid = mids[symbol];
            var (bid, ask) = (mid - 0.05m, mid + 0.05m);
            var side = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
            var quantity = (decimal)random.Next(1, 60);
            var open = await account.GetOrdersAsync(OrderStatusFilter.Open, 1_000, null);
            switch (random.Next(10))
            {
                case 0:
                {
                    var placed = await account.PlaceOrderAsync(Market.MarketOrder($"c{++n}", symbol, side, quantity));
                    log.Add($"market {side} {quantity} {symbol} -> {Describe(placed)}");
                    Remember(placed, side == OrderSide.Buy ? ask : bid);
                    break;
                }

                case 1 or 2:
                {
                    var price = Math.Round(mid * (1m + ((decimal)random.Next(-30, 31) / 1000m)), 2);
                    var placed = await account.PlaceOrderAsync(Market.Limit($"c{++n}", symbol, side, quantity, price));
                    log.Add($"limit {side} {quantity} {symbol} @ {price} -> {Describe(placed)}");
                    // A sell limit below the bid sells at the bid.
                    Remember(placed, side == OrderSide.Buy ? price : Math.Max(price, bid));
                    break;
                }

                case 3:
                {
                    var stop = Math.Round(mid * (1m + ((side == OrderSide.Buy ? 1 : -1) * (decimal)random.Next(5, 30) / 1000m)), 2);
                    var placed = await account.PlaceOrderAsync(new PlaceOrder
                    {
                        Request = new OrderRequest
                        {
                            ClientOrderId = $"c{++n}", Symbol = symbol, Side = side, Type = OrderType.Stop, Quantity = quantity,
                            StopPrice = stop, TimeInForce = TimeInForce.Gtc,
                        },
                    });
                    log.Add($"stop {side} {quantity} {symbol} @ {stop} -> {Describe(placed)}");
                    Remember(placed, side == OrderSide.Buy ? Math.Max(ask, stop) : Math.Min(bid, stop));
                    break;
                }

                case 4 when open.Count > 0:
                {
                    var victim = open[random.Next(open.Count)];
                    var canceled = await account.CancelOrderAsync(victim.OrderId);
                    log.Add($"cancel {victim.OrderId} -> {Describe(canceled)}");
                    break;
                }

                case 5 when open.Count > 0:
                {
                    var old = open[random.Next(open.Count)];
                    var oldMid = mids[old.Symbol];
                    var replacement = random.Next(2) == 0
                        ? new OrderReplacement { Quantity = old.FilledQuantity + random.Next(1, 60) }
                        : old.Type == OrderType.Stop
                            ? new OrderReplacement { StopPrice = Math.Round(oldMid * (1m + ((old.Side == OrderSide.Buy ? 1 : -1) * (decimal)random.Next(5, 30) / 1000m)), 2) }
                            : new OrderReplacement { LimitPrice = Math.Round(oldMid * (1m + ((decimal)random.Next(-30, 31) / 1000m)), 2) };
                    var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = old.OrderId, Replacement = replacement });
                    log.Add($"replace {old.OrderId} ({old.Type} {old.Side} {old.Quantity} {old.Symbol} L{old.LimitPrice} S{old.StopPrice}) with Q{replacement.Quantity} L{replacement.LimitPrice} S{replacement.StopPrice} -> {Describe(replaced)}");
                    var (oldBid, oldAsk) = (oldMid - 0.05m, oldMid + 0.05m);
                    var stopPrice = replacement.StopPrice ?? old.StopPrice;
                    Remember(replaced, old.Type switch
                    {
                        OrderType.Limit => old.Side == OrderSide.Buy
                            ? replacement.LimitPrice ?? old.LimitPrice!.Value
                            : Math.Max(replacement.LimitPrice ?? old.LimitPrice!.Value, oldBid),
                        OrderType.Stop => old.Side == OrderSide.Buy ? Math.Max(oldAsk, stopPrice!.Value) : Math.Min(oldBid, stopPrice!.Value),
                        _ => old.Side == OrderSide.Buy ? oldAsk : oldBid,
                    });
                    break;
                }

                case 6:
                {
                    mids[symbol] = mid = Math.Round(mid * (1m + ((decimal)random.Next(-20, 21) / 1000m)), 2);
                    var size = (decimal)random.Next(5, 100);
                    await Market.QuoteAsync(cluster, symbol, mid - 0.05m, mid + 0.05m, size: size);
                    log.Add($"quote {symbol} {mid - 0.05m}/{mid + 0.05m} x {size}");
                    break;
                }

                case 7:
                {
                    var price = Math.Round(mid * (1m + ((decimal)random.Next(-30, 31) / 1000m)), 2);
                    var size = (decimal)random.Next(5, 100);
                    // The symbol may refuse a print (its own filters); the account must be right either way.
                    var ingested = await cluster.Symbol(symbol).IngestAsync(new TickBatch { Trades = [new TradeTick(symbol, time.GetUtcNow(), price, size)] });
                    log.Add($"trade {symbol} {price} x {size} -> {ingested.Accepted}");
                    break;
                }

                case 8:
                {
                    var amount = random.Next(2) == 0 ? random.Next(100, 5_000) : -random.Next(100, 5_000);
                    var transfer = await account.TransferCashAsync(new TransferCash { TransferId = $"t{++n}", Amount = amount });
                    log.Add($"transfer {amount} -> {(transfer.Succeeded ? "ok" : transfer.ErrorCode)}");
                    transfers += transfer.Succeeded ? amount : 0m;
                    break;
                }

                default:
                {
                    var closed = await account.ClosePositionAsync(symbol);
                    log.Add($"close {symbol} -> {Describe(closed)}");
                    Remember(closed, closed.Order?.Side == OrderSide.Buy ? ask : bid);
                    break;
                }
            }

            if (!latency || random.Next(3) == 0)
            {
                await CheckAsync(step);
            }
        }

        await CheckAsync(300);

        void Remember(OrderCommandResult result, decimal price)
        {
            if (result.Succeeded)
            {
                referencePrices[result.Order!.OrderId] = price;
            }
        }

        static string Describe(OrderCommandResult result) =>
            result.Succeeded ? $"{result.Order!.OrderId} {result.Order.Status}" : $"denied {result.Denial?.ReasonCode}";

        async Task CheckAsync(int step)
        {
            // Quiet: nothing in flight, and the account has every fill the venue made and the venue's working orders.
            IReadOnlyList<Execution> executions = [];
            IReadOnlyList<AccountOrder> working = [];
            AccountSnapshot snapshot = null!;
            var quiet = false;
            for (var attempt = 0; attempt < 500 && !quiet; attempt++)
            {
                var before = (await account.GetSnapshotAsync())!;
                executions = await venue.GetExecutionsSinceAsync(DateTimeOffset.MinValue, TestContext.Current.CancellationToken);
                var venueOpen = (await venue.ListOpenOrdersAsync(TestContext.Current.CancellationToken)).Select(o => o.OrderId).Order().ToList();
                working = await account.GetOrdersAsync(OrderStatusFilter.Open, 1_000, null);
                var fills = await account.GetFillsAsync(0, 10_000);
                snapshot = (await account.GetSnapshotAsync())!;
                quiet = snapshot.LastEventSequence == before.LastEventSequence && snapshot.InFlightOrderCount == 0 && fills.Count == executions.Count
                    && working.All(o => !o.InFlight && o.Status is OrderStatus.Accepted or OrderStatus.PartiallyFilled)
                    && working.Select(o => o.BrokerOrderId ?? "").Order().SequenceEqual(venueOpen);
                if (!quiet)
                {
                    time.Advance(latency ? TimeSpan.FromSeconds(1) : TimeSpan.Zero);
                    await Task.Delay(10, TestContext.Current.CancellationToken);
                }
            }

            var trail = string.Join("\n", log.TakeLast(40));
            Assert.True(quiet, $"step {step}: the account never went quiet\n{trail}");
            var cash = initial + transfers + executions.Sum(e => (e.Side == OrderSide.Buy ? -1 : 1) * e.Quantity * e.Price) - executions.Sum(e => e.Fee);
            Assert.True(cash == snapshot.Cash, $"step {step}: cash {snapshot.Cash}, fills say {cash}\n{trail}");
            var positions = (await account.GetPositionsAsync()).Where(p => p.Quantity != 0m).ToDictionary(p => p.Symbol, p => p.Quantity);
            var expectedPositions = executions.GroupBy(e => e.Symbol)
                .Select(g => (g.Key, Quantity: g.Sum(e => e.Side == OrderSide.Buy ? e.Quantity : -e.Quantity)))
                .Where(p => p.Quantity != 0m).ToDictionary(p => p.Key, p => p.Quantity);
            Assert.True(expectedPositions.Count == positions.Count && expectedPositions.All(p => positions.GetValueOrDefault(p.Key) == p.Value),
                $"step {step}: positions {string.Join(",", positions)}, fills say {string.Join(",", expectedPositions)}\n{trail}");

            // Reserved: each working order's opening part (what the position, handed oldest first to the orders that close
            // it, does not cover) at its reference price; sells add their (small, regulatory) fee estimate.
            var reserved = 0m;
            var fees = 0m;
            var detail = new List<string>();
            foreach (var group in working.GroupBy(o => o.Symbol))
            {
                var position = expectedPositions.GetValueOrDefault(group.Key);
                var sellCapacity = Math.Max(0m, position);
                var buyCapacity = Math.Max(0m, -position);
                foreach (var order in group.OrderBy(o => o.OrderId, StringComparer.Ordinal))
                {
                    var closing = Math.Min(order.LeavesQuantity, order.Side == OrderSide.Sell ? sellCapacity : buyCapacity);
                    sellCapacity -= order.Side == OrderSide.Sell ? closing : 0m;
                    buyCapacity -= order.Side == OrderSide.Buy ? closing : 0m;
                    reserved += (order.LeavesQuantity - closing) * referencePrices[order.OrderId];
                    detail.Add($"{order.OrderId} {order.Status} {order.Type} {order.Side} {order.Symbol} q{order.Quantity} leaves {order.LeavesQuantity} @ {referencePrices[order.OrderId]} closing {closing} pos {position}");
                    fees += order.Side == OrderSide.Sell ? (order.LeavesQuantity * referencePrices[order.OrderId] * 0.001m) + 0.05m : 0m;
                }
            }

            if (!(snapshot.Reserved >= reserved && snapshot.Reserved <= reserved + fees))
            {
                var journal = await account.GetJournalAsync(0, 100_000);
                var ids = working.Select(o => o.OrderId).ToHashSet();
                detail.AddRange(journal.Where(j => ids.Contains(j.OrderId)).Select(j => $"  {j.OrderId} {j.Action} {j.From}->{j.To} {j.Detail}"));
            }

            Assert.True(snapshot.Reserved >= reserved && snapshot.Reserved <= reserved + fees,
                $"step {step}: reserved {snapshot.Reserved}, the working orders need {reserved} (+ fees up to {fees})\n{string.Join("\n", detail)}\n{trail}");
            Assert.True(snapshot.BuyingPower >= 0m, $"step {step}: buying power {snapshot.BuyingPower}\n{trail}");
            if (type == Domain.Portfolio.AccountType.Cash)
            {
                Assert.True(positions.Values.All(q => q >= 0m), $"step {step}: a cash account is short {string.Join(",", positions)}\n{trail}");
            }

            Assert.Equal(TradingState.Active, snapshot.TradingState);
            if (step % 25 == 24)
            {
                var report = await account.ReconcileAsync();
                Assert.True(report.Mismatches.Count == 0, $"step {step}: reconcile {string.Join("; ", report.Mismatches)}\n{trail}");
            }
        }
    }

    /// <summary>A margin account with loose limits and the default breaker policy.</summary>
    private static async Task<IAccountGrain> OpenMarginAsync(TradingCluster cluster, string id, decimal cash)
    {
        var account = cluster.Account(id);
        Assert.True((await account.OpenAsync(new OpenAccount
        {
            Cash = cash,
            AccountType = Domain.Portfolio.AccountType.Margin,
            RiskLimits = TestAccounts.Loose,
            BreakerPolicy = BreakerPolicy.Default,
        })).Succeeded);
        return account;
    }

    private static Task<TradingCluster> StartAsync(FakeTimeProvider time, string? sqlitePath = null, TimeSpan venueLatency = default) =>
        TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            SqlitePath = sqlitePath,
            ConfigureSilo = silo =>
            {
                silo.Configure<AccountGrainOptions>(o =>
                {
                    o.SignalInterval = TimeSpan.FromDays(30);
                    o.ReconcileInterval = TimeSpan.FromDays(30);
                });
                silo.Services.Configure<PaperExchangeOptions>(o => (o.AckLatency, o.FillLatency) = (venueLatency, venueLatency));
            },
        });
}
