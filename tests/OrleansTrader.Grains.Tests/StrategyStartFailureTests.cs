using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A start whose setup fails on the way (a call to a grain it reads from times out) leaves the strategy stopped with the
/// reason, not "running" with nothing listening: started again, it trades.
/// </summary>
public sealed class StrategyStartFailureTests
{
    private const string Symbol = "SSF";
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The warm-up's read of the symbol grain's bars timed out after the strategy had subscribed: it stayed "running" with
    /// no context, every bar and tick dropped, no lastError, and a start was answered as done (it was running already).
    /// </summary>
    [Fact]
    public async Task AStartWhoseWarmUpReadFails_IsStoppedWithTheReason_AndTradesWhenStartedAgain()
    {
        var barReads = new FailingBarReads();
        await using var cluster = await StartClusterAsync(barReads);
        var (account, strategy) = await CreateStrategyAsync(cluster, "ssf", start: false);

        barReads.FailNext = true;
        var thrown = await Record.ExceptionAsync(strategy.StartAsync);

        var failed = (await strategy.GetStatusAsync())!;
        Assert.Equal((false, true), (failed.Running, failed.LastError?.Contains("did not answer in time (test)", StringComparison.Ordinal) == true));
        Assert.Null(thrown);

        // Started again, it warms up and crosses: SMA(1) 99 under SMA(2) 99.5, then 101 over 100.
        var t0 = StartOfMinute(TimeProvider.System.GetUtcNow().AddMinutes(-10));
        await IngestAsync(cluster, Bar(t0, 100m), Bar(t0 + Minute, 99m));
        var started = await strategy.StartAsync();
        Assert.True(started.Status!.Running, started.Status.LastError);
        Assert.Equal(2, started.Status.WarmUp!.Symbols[0].Bars);
        await IngestAsync(cluster, Bar(t0 + (2 * Minute), 101m));
        await Eventually.WaitAsync(account.GetPositionsAsync, p => p.Any(x => x.Symbol == Symbol && x.Quantity == 10m),
            "the golden cross on the first live bar to buy 10", TimeSpan.FromSeconds(30));
        var status = (await strategy.GetStatusAsync())!;
        Assert.Equal((1L, 1L), (status.BarsSeen, status.IntentsSent));
    }

    /// <summary>A parameter change restarts a running strategy: one whose warm-up read fails is stopped the same way.</summary>
    [Fact]
    public async Task AParameterChangeWhoseWarmUpReadFails_StopsTheStrategyWithTheReason_AndAStartRunsTheNewParameters()
    {
        var barReads = new FailingBarReads();
        await using var cluster = await StartClusterAsync(barReads);
        var (account, strategy) = await CreateStrategyAsync(cluster, "ssf-params", start: true);

        barReads.FailNext = true;
        var thrown = await Record.ExceptionAsync(() => strategy.UpdateParametersAsync(
            new Dictionary<string, string> { ["quantity"] = "7", ["fastPeriod"] = "1", ["slowPeriod"] = "2" }));

        var failed = (await strategy.GetStatusAsync())!;
        Assert.Equal((false, true), (failed.Running, failed.LastError?.Contains("did not answer in time (test)", StringComparison.Ordinal) == true));
        Assert.Null(thrown);
        Assert.Equal("7", failed.Parameters["quantity"]);

        var t0 = StartOfMinute(TimeProvider.System.GetUtcNow().AddMinutes(-10));
        await IngestAsync(cluster, Bar(t0, 100m), Bar(t0 + Minute, 99m));
        Assert.True((await strategy.StartAsync()).Status!.Running);
        await IngestAsync(cluster, Bar(t0 + (2 * Minute), 101m));
        await Eventually.WaitAsync(account.GetPositionsAsync, p => p.Any(x => x.Symbol == Symbol && x.Quantity == 7m),
            "the golden cross on the first live bar to buy 7", TimeSpan.FromSeconds(30));
    }

    private static Task<TradingCluster> StartClusterAsync(FailingBarReads barReads) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        ConfigureSilo = silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(barReads),
    });

    /// <summary>An account quoted in the symbol and an SMA crossover (1 over 2, 10 shares) on it, started or not.</summary>
    private static async Task<(IAccountGrain Account, IStrategyGrain Strategy)> CreateStrategyAsync(TradingCluster cluster, string accountId, bool start)
    {
        var account = await TestAccounts.OpenAsync(cluster, accountId, 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        await Market.QuoteAsync(cluster, Symbol, 99.9m, 100.1m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create(accountId, "sma"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.SmaCrossover,
            Symbols = [Symbol],
            Parameters = new Dictionary<string, string> { ["quantity"] = "10", ["fastPeriod"] = "1", ["slowPeriod"] = "2" },
            Start = start,
        });
        Assert.True(start ? created.Status!.Running : created.Succeeded, created.Message);
        return (account, strategy);
    }

    private static async Task IngestAsync(TradingCluster cluster, params Bar[] bars) =>
        Assert.Equal(bars.Length, (await cluster.Symbol(Symbol).IngestAsync(new TickBatch { Bars = bars })).Accepted);

    private static Bar Bar(DateTimeOffset start, decimal close) => new(Symbol, start, Minute, close, close, close, close, 1_000m);

    private static DateTimeOffset StartOfMinute(DateTimeOffset at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    /// <summary>Fails the next read of a symbol grain's bars, as a call that timed out (only a warm-up reads them here).</summary>
    private sealed class FailingBarReads : IIncomingGrainCallFilter
    {
        private int _failNext;

        public bool FailNext
        {
            get => Volatile.Read(ref _failNext) != 0;
            set => Volatile.Write(ref _failNext, value ? 1 : 0);
        }

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Grain is ISymbolGrain && context.MethodName == nameof(ISymbolGrain.GetBarsAsync) && Interlocked.Exchange(ref _failNext, 0) != 0)
            {
                return Task.FromException(new TimeoutException("The symbol grain did not answer in time (test)."));
            }

            return context.Invoke();
        }
    }
}
