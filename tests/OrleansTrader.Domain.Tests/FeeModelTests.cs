using System.Globalization;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Tests;

public sealed class FeeModelTests
{
    private static readonly PerShareFeeModel PerShare = new(0.005m, 1m, 0.5m, null);

    [Theory]
    [InlineData(100, 50, "1.00")] // 0.50 raised to the $1 minimum
    [InlineData(1000, 50, "5.00")] // 0.005 x 1000
    [InlineData(10, 1, "0.05")] // minimum capped at 0.5% of $10 notional
    [InlineData(333, 20, "1.67")] // 1.665 rounded half away from zero
    public void PerShare_AppliesRateMinimumAndCap(int shares, int price, string expected)
    {
        var fee = PerShare.Calculate(new FeeInput(OrderSide.Buy, shares, price));

        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), fee.Commission);
        Assert.Equal(fee.Commission, fee.Total);
    }

    [Fact]
    public void ZeroCommission_WithRegulatoryFees_ChargesSecAndTafOnSellsOnly()
    {
        var model = new ZeroCommissionFeeModel(RegulatoryFees.Default);

        var sell = model.Calculate(new FeeInput(OrderSide.Sell, 1_000m, 50m));
        var buy = model.Calculate(new FeeInput(OrderSide.Buy, 1_000m, 50m));

        Assert.Equal(0m, sell.Commission);
        Assert.Equal(1.39m, sell.SecFee); // 50,000 x 27.80 / 1,000,000
        Assert.Equal(0.17m, sell.FinraTaf); // 1,000 x 0.000166 = 0.166, rounded up
        Assert.Equal(1.56m, sell.Total);
        Assert.Equal(FeeBreakdown.None, buy);
    }

    [Fact]
    public void RegulatoryFees_RoundUpToCentAndCapTaf()
    {
        var fees = RegulatoryFees.Default;

        Assert.Equal(0.03m, fees.SecFee(new FeeInput(OrderSide.Sell, 100m, 10.01m))); // 0.0278278
        Assert.Equal(8.30m, fees.FinraTaf(new FeeInput(OrderSide.Sell, 100_000m, 1m))); // 16.60 capped
        Assert.Equal(0.01m, fees.FinraTaf(new FeeInput(OrderSide.Sell, 1m, 1m)));
    }

    [Fact]
    public void BasisPoints_ChargesNotionalBpsWithMinimum()
    {
        var model = new BasisPointsFeeModel(10m, 1m, null);

        Assert.Equal(50.00m, model.Calculate(new FeeInput(OrderSide.Buy, 1_000m, 50m)).Total);
        Assert.Equal(1.00m, model.Calculate(new FeeInput(OrderSide.Buy, 1m, 50m)).Total);
        Assert.Equal(1.23m, model.Calculate(new FeeInput(OrderSide.Buy, 1_234m, 1m)).Total); // 1.234
    }

    [Fact]
    public void Factory_BuildsEachKind_WithRegulatoryFeesWhenIncluded()
    {
        var perShare = FeeModelFactory.Create(new FeeModelSpec { Kind = FeeModelKind.PerShare }).GetValueOrThrow();
        var bps = FeeModelFactory.Create(new FeeModelSpec { Kind = FeeModelKind.BasisPoints, BasisPoints = 5m, IncludeRegulatoryFees = false })
            .GetValueOrThrow();
        var zero = FeeModelFactory.Create(FeeModelSpec.Default).GetValueOrThrow();

        Assert.IsType<PerShareFeeModel>(perShare);
        Assert.Equal(new FeeBreakdown(5.00m, 1.39m, 0.17m), perShare.Calculate(new FeeInput(OrderSide.Sell, 1_000m, 50m)));
        Assert.Equal(new FeeBreakdown(25.00m, 0m, 0m), bps.Calculate(new FeeInput(OrderSide.Sell, 1_000m, 50m)));
        Assert.IsType<ZeroCommissionFeeModel>(zero);
    }

    [Fact]
    public void Factory_RefusesInvalidSpec()
    {
        var spec = new FeeModelSpec { Kind = FeeModelKind.PerShare, PerShareRate = -0.01m, MaxPercentOfNotional = 0m };

        var result = FeeModelFactory.Create(spec);

        Assert.Equal(2, spec.Validate().Count);
        Assert.Equal(FeeModelSpec.InvalidCode, result.Error?.Code);
        Assert.Contains("PerShareRate", result.Error?.Message, StringComparison.Ordinal);
        Assert.Equal(FeeModelSpec.InvalidCode, FeeModelFactory.Create(new FeeModelSpec { Kind = (FeeModelKind)99 }).Error?.Code);
    }
}
