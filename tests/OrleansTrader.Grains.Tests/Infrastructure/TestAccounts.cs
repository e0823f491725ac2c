using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Tests.Infrastructure;

public static class TestAccounts
{
    /// <summary>Limits that let only buying power bind (tests lower one limit at a time).</summary>
    public static RiskLimits Loose { get; } = new()
    {
        MaxOrderNotional = 1_000_000m,
        MaxPositionNotional = 10_000_000m,
        MaxPositionPercentOfEquity = 1_000m,
        MaxOpenOrders = 10_000,
        MaxSubmitsPerWindow = 100_000,
    };

    public static async Task<IAccountGrain> OpenAsync(TradingCluster cluster, string id, decimal cash, RiskLimits? limits = null,
        Domain.Breaker.BreakerPolicy? policy = null)
    {
        var account = cluster.Account(id);
        var opened = await account.OpenAsync(new OpenAccount
        {
            Cash = cash,
            RiskLimits = limits ?? Loose,
            BreakerPolicy = policy ?? Domain.Breaker.BreakerPolicy.Default,
        });
        Assert.True(opened.Succeeded, opened.Message);
        return account;
    }
}
