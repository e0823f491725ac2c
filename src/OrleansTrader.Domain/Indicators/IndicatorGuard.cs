namespace OrleansTrader.Domain.Indicators;

/// <summary>Parameter and input checks shared by the indicators, so every message reads the same.</summary>
internal static class IndicatorGuard
{
    public static int Period(int period, string paramName, int minimum = 1)
    {
        if (period < minimum)
        {
            throw new ArgumentOutOfRangeException(paramName, period, $"{paramName} must be >= {minimum}; got {period}.");
        }

        return period;
    }

    public static decimal Positive(decimal value, string paramName)
    {
        if (value <= 0m)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be > 0; got {value}.");
        }

        return value;
    }

    public static decimal NonNegative(decimal value, string paramName)
    {
        if (value < 0m)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be >= 0; got {value}.");
        }

        return value;
    }

    /// <summary>
    /// The error of an update that would take an indicator's running sums beyond the decimal range: the update is refused
    /// and the indicator left as it was, so its value still matches the inputs it accepted.
    /// </summary>
    public static OverflowException Overflow(string indicator, decimal value, OverflowException inner) =>
        new($"{indicator}: the value {value} takes its running sums beyond the decimal range; the update was not counted.", inner);

    /// <summary>
    /// sum + value - evicted, in an order that stays in range whenever the result does (adding first overflows only when
    /// sum and value are large of one sign, and then removing first cannot).
    /// </summary>
    public static decimal Replace(decimal sum, decimal value, decimal? evicted)
    {
        if (evicted is not { } old)
        {
            return sum + value;
        }

        try
        {
            return sum + value - old;
        }
        catch (OverflowException)
        {
            return sum - old + value;
        }
    }

    public static double Finite(double value, string paramName)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a finite number; got {value}.");
        }

        return value;
    }

    /// <summary>Converts a double input (e.g. from a feed) to decimal, refusing NaN, infinities and values decimal cannot hold.</summary>
    public static decimal ToDecimal(double value, string paramName)
    {
        Finite(value, paramName);
        if (Math.Abs(value) >= (double)decimal.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} is outside the decimal range; got {value}.");
        }

        return (decimal)value;
    }

    /// <summary>Square root at the decimal/double boundary: decimal has no sqrt, so the variance crosses to double once, and back.</summary>
    public static decimal Sqrt(decimal value)
    {
        if (value <= 0m)
        {
            return 0m;
        }

        var root = (decimal)Math.Sqrt((double)value);

        // One Newton step in decimal brings the double's ~16 significant digits close to decimal precision.
        return root == 0m ? 0m : (root + (value / root)) / 2m;
    }
}
