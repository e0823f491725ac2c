using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A strategy's quantity its symbol cannot be ordered in (1.5 shares of one that trades whole shares) is refused where the
/// strategy is created, its parameters changed or backtested: accepted, every order the strategy sent was denied by the
/// account as FRACTIONAL_NOT_ALLOWED, journaled and counted, and a backtest filled orders no account takes.
/// </summary>
public sealed class StrategyQuantityCheckTests
{
    private const string WholeShares = "QWHOLE";
    private const string Fractional = "QFRAC";

    [Fact]
    public async Task AFractionalQuantity_OnASymbolOfWholeShares_IsRefusedNamingQuantity_AtCreateUpdateAndBacktest()
    {
        await using var cluster = await StartAsync();
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("qty-check", "sma"));
        const string expected = "Invalid parameters for strategy 'sma-crossover': quantity: 1.5 cannot be ordered in QWHOLE, "
            + "the account refuses it as FRACTIONAL_NOT_ALLOWED (QWHOLE does not allow fractional quantities.)";

        var created = await strategy.CreateAsync(new CreateStrategy { Kind = StrategyKinds.SmaCrossover, Symbols = [WholeShares], Parameters = Sma("1.5") });
        Assert.Equal((false, StrategyErrorCodes.InvalidParameters, expected), (created.Succeeded, created.ErrorCode, created.Message));
        Assert.Null(await strategy.GetStatusAsync());

        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = StrategyKinds.SmaCrossover, Symbols = [WholeShares], Parameters = Sma("2") })).Succeeded);
        var updated = await strategy.UpdateParametersAsync(Sma("1.5"));
        Assert.Equal((false, StrategyErrorCodes.InvalidParameters, expected), (updated.Succeeded, updated.ErrorCode, updated.Message));
        Assert.Equal("2", (await strategy.GetStatusAsync())!.Parameters["quantity"]);

        var backtest = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = [WholeShares], Parameters = Sma("1.5"), Bars = 10, InitialCash = 10_000m,
        });
        Assert.Equal((false, StrategyErrorCodes.InvalidParameters, expected), (backtest.Succeeded, backtest.ErrorCode, backtest.Message));
    }

    /// <summary>Parameter names are taken in any case: "Quantity" is the quantity, checked the same.</summary>
    [Fact]
    public async Task AFractionalQuantity_NamedInAnotherCase_IsRefusedAsWell()
    {
        await using var cluster = await StartAsync();
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("qty-case", "sma"));

        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = [WholeShares],
            Parameters = new Dictionary<string, string> { ["Quantity"] = "1.5", ["fastPeriod"] = "2", ["slowPeriod"] = "5" },
        });

        Assert.Equal((false, StrategyErrorCodes.InvalidParameters), (created.Succeeded, created.ErrorCode));
    }

    [Fact]
    public async Task AFractionalQuantity_OnASymbolThatAllowsFractions_IsAccepted()
    {
        await using var cluster = await StartAsync();
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("qty-frac", "sma"));

        var created = await strategy.CreateAsync(new CreateStrategy { Kind = StrategyKinds.SmaCrossover, Symbols = [Fractional], Parameters = Sma("1.5") });

        Assert.True(created.Succeeded, created.Message);
    }

    private static Task<TradingCluster> StartAsync() => TradingCluster.StartAsync(new TradingClusterOptions
    {
        Instruments = [new Instrument { Symbol = WholeShares }, new Instrument { Symbol = Fractional, FractionalAllowed = true }],
    });

    private static Dictionary<string, string> Sma(string quantity) => new() { ["quantity"] = quantity, ["fastPeriod"] = "2", ["slowPeriod"] = "5" };
}
