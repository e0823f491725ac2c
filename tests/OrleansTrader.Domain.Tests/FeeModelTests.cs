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

    [Theory]
    [InlineData("2024-06-03", "1.39", "0.17")] // $27.80 per million; $0.000166/share
    [InlineData("2025-06-02", "0", "0.17")] // Section 31 at $0.00 from 2025-05-14
    [InlineData("2026-03-02", "0", "0.20")] // 2026 TAF $0.000195/share: 0.195 rounded up
    [InlineData("2026-04-06", "1.03", "0.20")] // Section 31 at $20.60 per million from 2026-04-04
    [InlineData("2026-12-04", "1.03", "0")] // FINRA's TAF holiday, 2026-10-01 to 2026-12-31
    [InlineData("2027-01-04", "1.03", "0.24")] // TAF resumes at the scheduled 2027 rate, $0.000232/share: 0.232 rounded up
    public void RegulatoryFees_UseTheRatesInForceOnTheTradeDate(string tradeDate, string sec, string taf)
    {
        var input = new FeeInput(OrderSide.Sell, 1_000m, 50m) { TradeDate = DateOnly.Parse(tradeDate, CultureInfo.InvariantCulture) };

        var fee = FeeModelFactory.Create(FeeModelSpec.Default).GetValueOrThrow().Calculate(input);

        Assert.Equal(decimal.Parse(sec, CultureInfo.InvariantCulture), fee.SecFee);
        Assert.Equal(decimal.Parse(taf, CultureInfo.InvariantCulture), fee.FinraTaf);
    }

    [Fact]
    public void RegulatoryFees_CapTheTafAtTheMaximumOfTheTradeDate()
    {
        var fees = RegulatoryFees.Default;

        Assert.Equal(8.30m, fees.FinraTaf(new FeeInput(OrderSide.Sell, 100_000m, 1m) { TradeDate = new DateOnly(2025, 3, 3) }));
        Assert.Equal(9.79m, fees.FinraTaf(new FeeInput(OrderSide.Sell, 100_000m, 1m) { TradeDate = new DateOnly(2026, 3, 2) }));
    }

    [Fact]
    public void RegulatoryFees_UseTheFixedRates_WhenUndatedBeforeTheScheduleOrNotDated()
    {
        var fixedRates = FeeModelFactory.Create(FeeModelSpec.Default with { DatedRegulatoryRates = false, SecFeePerMillion = 10m })
            .GetValueOrThrow();
        var dated = FeeModelFactory.Create(FeeModelSpec.Default).GetValueOrThrow();
        var today = new FeeInput(OrderSide.Sell, 1_000m, 50m) { TradeDate = new DateOnly(2026, 12, 4) };

        Assert.Equal(new FeeBreakdown(0m, 0.50m, 0.17m), fixedRates.Calculate(today));
        Assert.Equal(new FeeBreakdown(0m, 1.39m, 0.17m), dated.Calculate(today with { TradeDate = new DateOnly(2013, 10, 7) }));
        Assert.Equal(new FeeBreakdown(0m, 1.39m, 0.17m), dated.Calculate(today with { TradeDate = null }));
    }

    [Fact]
    public void RegulatoryFees_ChargeNothingOnABuy_AndRoundAFractionalSaleUpToACent()
    {
        var fees = RegulatoryFees.Default;
        var date = new DateOnly(2026, 6, 1);

        Assert.Equal(0m, fees.SecFee(new FeeInput(OrderSide.Buy, 1_000m, 50m) { TradeDate = date }));
        Assert.Equal(0m, fees.FinraTaf(new FeeInput(OrderSide.Buy, 1_000m, 50m) { TradeDate = date }));
        Assert.Equal(0.01m, fees.FinraTaf(new FeeInput(OrderSide.Sell, 0.5m, 100m) { TradeDate = date })); // 0.0000975
        Assert.Equal(0.01m, fees.SecFee(new FeeInput(OrderSide.Sell, 0.5m, 100m) { TradeDate = date })); // 0.00103
    }
}
