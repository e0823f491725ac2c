namespace OrleansTrader.Domain;

/// <summary>
/// Rounding policy (ARCHITECTURE.md): money keeps full decimal precision through every calculation and is rounded
/// half-away-from-zero to cents only where it is reported; quantities round down to the lot.
/// </summary>
public static class Money
{
    public static decimal RoundForReport(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    /// <summary>
    /// An amount of money in words (a refusal's message): rounded for report and always with two decimals, so a limit as
    /// set (100000) and an amount computed from prices (150060.00) read alike. Not for prices or quantities.
    /// </summary>
    public static string Text(decimal amount) => RoundForReport(amount).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// An amount and the bound it is refused against, in words: as <see cref="Text"/>, unless cents make two different
    /// amounts read alike ("notional 100000.00 exceeds the maximum 100000.00"); then with the fewest decimals that tell
    /// them apart, both alike.
    /// </summary>
    public static (string Amount, string Bound) TextAgainst(decimal amount, decimal bound)
    {
        var decimals = 2;
        while (amount != bound && decimals < 28 && RoundForReport(amount, decimals) == RoundForReport(bound, decimals))
        {
            decimals++;
        }

        var format = "F" + decimals.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (RoundForReport(amount, decimals).ToString(format, System.Globalization.CultureInfo.InvariantCulture),
            RoundForReport(bound, decimals).ToString(format, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static decimal RoundForReport(decimal amount, int decimals) => Math.Round(amount, decimals, MidpointRounding.AwayFromZero);

    /// <summary>Rounds a charge up to the next cent, as brokers bill regulatory fees.</summary>
    public static decimal CeilingToCent(decimal amount) => Math.Ceiling(amount * 100m) / 100m;

    /// <summary>Largest multiple of <paramref name="increment"/> not above <paramref name="quantity"/> (for non-negative quantities).</summary>
    public static decimal RoundDownTo(decimal quantity, decimal increment)
    {
        if (increment <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(increment), increment, "Increment must be positive.");
        }

        return Math.Floor(quantity / increment) * increment;
    }

    public static bool IsMultipleOf(decimal value, decimal increment) => increment > 0m && value % increment == 0m;
}
