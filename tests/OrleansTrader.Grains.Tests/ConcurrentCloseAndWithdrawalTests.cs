using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// LESSONS 3, one decision racing another on the same account: the first is held in its write (the account's or the
/// transfers record) while the second is sent, then released. The account takes one command at a time, so the second is
/// decided on what the first did: a position is closed once, and two withdrawals never take more than the free cash.
/// </summary>
public sealed class ConcurrentCloseAndWithdrawalTests
{
    [Fact]
    public async Task TwoClosesOfOnePositionAtOnce_SendOneOrder_AndTheOtherIsRefused()
    {
        var storage = new GatedStorage("account");
        await using var cluster = await HaltDuringPlacementTests.StartAsync(storage);
        await Market.QuoteAsync(cluster, "CCP", 20m, 20.02m);
        var account = await TestAccounts.OpenAsync(cluster, "close-twice", 100_000m);
        await FillAsync(account, Market.MarketOrder("ccp-buy", "CCP", OrderSide.Buy, 30m), 1);

        var entered = storage.HoldNextWrite();
        var first = account.ClosePositionAsync("CCP");
        await entered;
        var second = account.ClosePositionAsync("CCP");
        storage.Release();
        var results = await Task.WhenAll(first, second);

        Assert.True(results[0].Succeeded, results[0].Denial?.Message);
        Assert.Equal(30m, results[0].Order!.Quantity);
        Assert.Contains(results[1].Denial?.ReasonCode, new[] { RiskReasonCodes.ShortingNotAllowed, AccountErrorCodes.PositionFlat });
        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient("close-twice");
        var executions = await venue.GetExecutionsSinceAsync(DateTimeOffset.MinValue, TestContext.Current.CancellationToken);
        Assert.Equal(30m, executions.Where(e => e.Side == OrderSide.Sell).Sum(e => e.Quantity));
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.All(q => q.Quantity == 0m), "the position closed, not reversed");
    }

    [Fact]
    public async Task TwoWithdrawalsAtOnceThatTogetherOverdraw_OnlyOneIsMade()
    {
        var storage = new GatedStorage("transfers");
        await using var cluster = await HaltDuringPlacementTests.StartAsync(storage);
        var account = await TestAccounts.OpenAsync(cluster, "withdraw-twice", 10_000m);

        var entered = storage.HoldNextWrite();
        var first = account.TransferCashAsync(new TransferCash { TransferId = "w-1", Amount = -6_000m });
        await entered;
        var second = account.TransferCashAsync(new TransferCash { TransferId = "w-2", Amount = -6_000m });
        storage.Release();
        var results = await Task.WhenAll(first, second);

        Assert.True(results[0] is { Succeeded: true, Existing: false }, results[0].Message);
        Assert.Equal(AccountErrorCodes.InsufficientCash, results[1].ErrorCode);
        Assert.Equal(4_000m, (await account.GetSnapshotAsync())!.Cash);
        Assert.Equal(["w-1"], (await account.GetTransfersAsync()).Select(t => t.TransferId));
    }
}
