namespace OrleansTrader.MarketData.Synthetic;

/// <summary>
/// Geometric Brownian motion in log space: ln S(t+dt) = ln S(t) + (mu - sigma^2/2) dt + sigma sqrt(dt) Z.
/// The unrounded path is kept so that cent rounding of the published price never feeds back into the process.
/// The path is reflected at <see cref="MinPrice"/> and <see cref="MaxPrice"/>: an unbounded one leaves decimal's range
/// on a long enough run with a high volatility (the feed then failed with an OverflowException in its pump, again on
/// every restart), and a price pinned at one cent or above every instrument's price limit is no use to anyone.
/// </summary>
internal sealed class GbmProcess
{
    /// <summary>The lowest path price: one cent, the smallest price the feed publishes.</summary>
    public const double MinPrice = 0.01;

    /// <summary>The highest path price: the domain's default instrument price limit, above which no order is accepted.</summary>
    public const double MaxPrice = 1_000_000;

    private static readonly double MinLogPrice = Math.Log(MinPrice);
    private static readonly double MaxLogPrice = Math.Log(MaxPrice);

    private readonly double _driftPerStep;
    private readonly double _volatilityPerStep;
    private readonly SeededRandom _random;

    public GbmProcess(double startPrice, double annualDrift, double annualVolatility, double stepYears, SeededRandom random)
    {
        LogPrice = Math.Clamp(Math.Log(startPrice), MinLogPrice, MaxLogPrice);
        _driftPerStep = (annualDrift - (annualVolatility * annualVolatility / 2.0)) * stepYears;
        _volatilityPerStep = annualVolatility * Math.Sqrt(stepYears);
        _random = random;
    }

    public double LogPrice { get; private set; }

    public double Price => Math.Exp(LogPrice);

    /// <summary>Expected log-return per step.</summary>
    public double StepMean => _driftPerStep;

    /// <summary>Standard deviation of the log-return per step.</summary>
    public double StepStdDev => _volatilityPerStep;

    /// <summary>Advances one step and returns the log-return.</summary>
    public double Step()
    {
        var logReturn = _driftPerStep + (_volatilityPerStep * _random.NextNormal());
        LogPrice = Reflect(LogPrice + logReturn);
        return logReturn;
    }

    /// <summary>Mirrors a step past a bound back inside (clamped when one step is wider than the whole band).</summary>
    private static double Reflect(double logPrice)
    {
        if (logPrice > MaxLogPrice)
        {
            logPrice = (2 * MaxLogPrice) - logPrice;
        }
        else if (logPrice < MinLogPrice)
        {
            logPrice = (2 * MinLogPrice) - logPrice;
        }

        return Math.Clamp(logPrice, MinLogPrice, MaxLogPrice);
    }
}
