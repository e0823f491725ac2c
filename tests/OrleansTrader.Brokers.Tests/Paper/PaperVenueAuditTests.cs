using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>Defects an audit of the paper venue's matching and fills found.</summary>
public sealed class PaperVenueAuditTests
{
    /// <summary>
    /// docs/paper-exchange.md: "each order keeps the account's fee schedule it was added under". An order added under the
    /// default (commission-free) schedule must not pay the per-share minimum the account configured after it was added.
    /// </summary>
    [Fact]
    public async Task RestingOrder_KeepsTheDefaultFeeSchedule_WhenTheAccountConfiguresAnotherAfterIt()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m);
        var order = await venue.SubmitAsync(Request("fee-default", OrderSide.Buy, OrderType.Limit, 100m, limit: 99.00m, tif: TimeInForce.Gtc));

        venue.Exchange.ConfigureAccount(AccountId,
            new PaperAccountSettings { FeeModel = new FeeModelSpec { Kind = FeeModelKind.PerShare, PerShareRate = 0.005m, MinimumPerOrder = 1.00m } });
        await venue.QuoteAsync(98.90m, 99.00m);

        var fill = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill));
        Assert.Equal(0m, fill.Execution!.Fee);
    }
}
