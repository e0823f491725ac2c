namespace OrleansTrader.Domain.Tests.Strategies;

/// <summary>A reproducible random walk in cents (fixed LCG), so strategy runs cross signals many times.</summary>
internal static class SyntheticSeries
{
    public static decimal[] RandomWalk(int count, uint seed = 12345)
    {
        var closes = new decimal[count];
        var price = 10_000L;
        var state = seed;
        for (var i = 0; i < count; i++)
        {
            state = unchecked((state * 1_664_525u) + 1_013_904_223u);
            var step = (int)(state >> 24) % 61 - 30;
            price = Math.Max(100L, price + step);
            closes[i] = price / 100m;
        }

        return closes;
    }
}
