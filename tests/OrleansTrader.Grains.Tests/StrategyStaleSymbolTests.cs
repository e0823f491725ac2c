using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

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

    /// <summary>
    /// A symbol whose data stopped for hours: after each minute's hold the next intent went to the account, was refused for
    /// the same old quote and logged warning 5416, once a minute per strategy and symbol with nothing new in it. The first
    /// warns, the rest are Debug (5422) with how many in a row; a quote of the symbol is news, and the next refusal warns again.
    /// </summary>
    [Fact]
    public async Task RefusalsForTheSameOldQuote_AfterEachMinutesHold_WarnOnce_AndLogTheRepeatsAtDebug()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        var logs = new CapturedLogs();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(PairChaser.Definition);

                // Debug kept, so that the repeats are seen to be logged at their level, not merely filtered out.
                silo.Services.AddSingleton<ILoggerProvider>(logs).AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
            },
        });
        var account = await TestAccounts.OpenAsync(cluster, "stale-log", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromSeconds(30) });
        await Market.QuoteAsync(cluster, "AAA", 49.9m, 50.1m, time.GetUtcNow().AddHours(-1));
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("stale-log", "pair"));
        var created = await strategy.CreateAsync(new CreateStrategy { Kind = PairChaser.Definition.Kind, Symbols = ["AAA", "BBB"], Start = true });
        Assert.True(created.Succeeded, created.Message);

        // A trade of BBB after each minute's hold: its intent for AAA goes to the account, which refuses it again. Then a
        // quote of AAA, as old: the refusal after it is news.
        for (var i = 0; i < 4; i++)
        {
            if (i == 3)
            {
                var before = (await strategy.GetStatusAsync())!.TicksSeen;
                await Market.QuoteAsync(cluster, "AAA", 49.9m, 50.1m, time.GetUtcNow().AddHours(-1));
                await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.TicksSeen > before,
                    "the quote to reach the strategy", TimeSpan.FromSeconds(30));
            }

            time.Advance(TimeSpan.FromSeconds(61));
            await Market.TradeAsync(cluster, "BBB", 80m + (i * 0.01m));

            // The strategy's count, not the account's: the hold begins when the strategy hears the refusal, after the account made it.
            var refused = i + 1;
            await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsDenied >= refused,
                $"refusal {refused} to reach the strategy", TimeSpan.FromSeconds(30));
        }

        Assert.Equal(4, (await account.GetOrdersAsync(OrderStatusFilter.All, 1_000, null)).Count(o => o.Status == OrderStatus.Denied));
        var lines = logs.Entries
            .Where(e => e.EventId.Id is 5416 or 5422 && e.Text.Contains("AccountId=stale-log;", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(["5416 Warning", "5422 Debug", "5422 Debug", "5416 Warning"], lines.Select(e => $"{e.EventId.Id} {e.Level}"));
        Assert.Contains("(3 refusals in a row)", lines[2].Text, StringComparison.Ordinal);
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
