using FsCheck;
using FsCheck.Fluent;

namespace OrleansTrader.Domain.Tests.Indicators;

internal static class IndicatorGenerators
{
    /// <summary>Prices with two decimals between 0.01 and 10 000, like real quotes.</summary>
    public static Gen<decimal> Price { get; } = Gen.Choose(1, 1_000_000).Select(cents => cents / 100m);

    /// <summary>A period and a series long enough to pass warm-up a few times.</summary>
    public static Arbitrary<(int Period, decimal[] Values)> PeriodAndSeries { get; } =
        Gen.Choose(1, 25)
            .SelectMany(period => Gen.Choose(0, 80).SelectMany(length => Gen.ArrayOf(Price, length)).Select(values => (period, values)))
            .ToArbitrary();
}
