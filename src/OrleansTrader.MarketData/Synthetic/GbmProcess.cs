namespace OrleansTrader.MarketData.Synthetic;

/// <summary>
/// Geometric Brownian motion in log space: ln S(t+dt) = ln S(t) + (mu - sigma^2/2) dt + sigma sqrt(dt) Z.
/// The unrounded path is kept so that cent rounding of the published price never feeds back into the process.
/// </summary>
internal sealed class GbmProcess
{
    private readonly double _driftPerStep;
    private readonly double _volatilityPerStep;
    private readonly SeededRandom _random;

    public GbmProcess(double startPrice, double annualDrift, double annualVolatility, double stepYears, SeededRandom random)
    {
        LogPrice = Math.Log(startPrice);
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
        LogPrice += logReturn;
        return logReturn;
    }
}
