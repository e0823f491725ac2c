using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>One symbol of a multi-symbol strategy goes silent while another keeps ticking.</summary>
public sealed class StrategyStaleSymbolTests
{
    [Fact]
    public async Task AnIntentRefusedForAStaleQuote_IsNotSentAgainOnEveryTickOfTheLiveSymbol_UntilAQuoteOfItArrives()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { ConfigureSilo = silo => silo.Services.AddStrategy(PairChaser.Definition) });

        // The default MaxQuoteAge (30 s): AAA's only quote is an hour old.
        var account = await TestAccounts.OpenAsync(cluster, "stale", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromSeconds(30) });
        await Market.QuoteAsync(cluster, "AAA", 49.9m, 50.1m, TimeProvider.System.GetUtcNow().AddHours(-1));
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("stale", "pair"));
        var created = await strategy.CreateAsync(new CreateStrategy { Kind = PairChaser.Definition.Kind, Symbols = ["AAA", "BBB"], Start = true });
        Assert.True(created.Succeeded, created.Message);

        const int LiveTrades = 40;
        for (var i = 0; i < LiveTrades; i++)
        {
            await Market.TradeAsync(cluster, "BBB", 80m + (i * 0.01m));
        }

        // Every trade of BBB asked for AAA; the account refused the first for its stale quote, the rest never reached it.
        var status = await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsDenied >= LiveTrades,
            "every intent to be refused", TimeSpan.FromSeconds(30));
        var denied = (await account.GetOrdersAsync(OrderStatusFilter.All, 1_000, null)).Where(o => o.Status == OrderStatus.Denied).ToList();
        Assert.Equal(LiveTrades, status.IntentsDenied);
        var atAccount = Assert.Single(denied);
        Assert.Equal("AAA", atAccount.Symbol);
        Assert.True(status.Running);

        // A fresh quote of AAA: the next trade of BBB sends the order, and the account takes it.
        status = (await strategy.GetStatusAsync())!;
        await Market.QuoteAsync(cluster, "AAA", 49.9m, 50.1m);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.TicksSeen > status.TicksSeen,
            "the fresh quote to reach the strategy", TimeSpan.FromSeconds(30));
        await Market.TradeAsync(cluster, "BBB", 81m);
        var sent = await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsSent >= 1,
            "the order to be sent once AAA is quoted again", TimeSpan.FromSeconds(30));
        Assert.Equal(1, sent.IntentsSent);
        Assert.Single(await account.GetOrdersAsync(OrderStatusFilter.All, 1_000, null), o => o.Status == OrderStatus.Denied);
    }

    /// <summary>Buys AAA on any trade of BBB while it holds none and has no order of it open (a pair's leg on the other's ticks).</summary>
    private sealed class PairChaser : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "pair-chaser",
            MaxSymbols = 2,
            StateType = typeof(PairChaserState),
            Create = _ => new PairChaser(),
        };

        public override string Kind => Definition.Kind;

        public override void OnTrade(TradeTick trade)
        {
            if (trade.Symbol == "BBB" && Context.GetPosition("AAA").Quantity == 0m && !Context.HasOpenOrder("AAA"))
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = "AAA", Side = OrderSide.Buy, Quantity = 1m, Reason = "BBB traded" });
            }
        }

        public override StrategyState GetState() => new PairChaserState();

        public override void Restore(StrategyState state)
        {
        }
    }

    private sealed record PairChaserState : StrategyState;
}
