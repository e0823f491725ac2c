using Microsoft.Extensions.Options;

namespace OrleansTrader.MarketData.Synthetic;

internal sealed class SyntheticFeedOptionsValidator : IValidateOptions<SyntheticFeedOptions>
{
    /// <summary>Largest annualised drift (either sign) and volatility accepted: 10 is 1,000 % a year.</summary>
    internal const double MaxAnnualRate = 10;

    /// <summary>The widest spread accepted, the whole price; a wider one only floors the bid at a cent (and overflowed decimal far above).</summary>
    internal const decimal MaxSpreadBps = 10_000m;

    public ValidateOptionsResult Validate(string? name, SyntheticFeedOptions options) =>
        Collect(options) is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;

    internal static List<string> Collect(SyntheticFeedOptions options)
    {
        var section = SyntheticFeedOptions.SectionName;
        var failures = new List<string>();
        if (options.Symbols.Count == 0)
        {
            failures.Add($"{section}:Symbols needs at least one symbol.");
        }

        foreach (var symbol in options.Symbols)
        {
            if (string.IsNullOrWhiteSpace(symbol.Symbol))
            {
                failures.Add($"{section}:Symbols has an entry without a Symbol.");
            }

            if (symbol.StartPrice <= 0m || symbol.StartPrice > (decimal)GbmProcess.MaxPrice)
            {
                failures.Add($"{section}: StartPrice of '{symbol.Symbol}' must be > 0 and at most 1,000,000.");
            }

            if (symbol.Volatility < 0 || !double.IsFinite(symbol.Volatility) || !double.IsFinite(symbol.Drift))
            {
                failures.Add($"{section}: Drift and Volatility of '{symbol.Symbol}' must be finite, volatility >= 0.");
            }
            else
            {
                // A finite but huge rate (a unit mix-up) sends the path past decimal's range within a few steps, and the
                // feed failed with an OverflowException in the pump, again on every restart.
                if (Math.Abs(symbol.Drift) > MaxAnnualRate)
                {
                    failures.Add($"{section}: Drift of '{symbol.Symbol}' must be between -{MaxAnnualRate} and {MaxAnnualRate} (annualised: 0.05 is 5 % a year).");
                }

                if (symbol.Volatility > MaxAnnualRate)
                {
                    failures.Add($"{section}: Volatility of '{symbol.Symbol}' must be at most {MaxAnnualRate} (annualised: 0.2 is 20 % a year).");
                }
            }
        }

        if (options.Symbols.Select(s => s.Symbol).Distinct(StringComparer.Ordinal).Count() != options.Symbols.Count)
        {
            failures.Add($"{section}:Symbols lists a symbol twice.");
        }

        if (options.TickInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:TickInterval must be positive.");
        }

        if (options.MinSpreadBps <= 0m || options.MaxSpreadBps < options.MinSpreadBps || options.MaxSpreadBps > MaxSpreadBps)
        {
            failures.Add($"{section}: spreads need 0 < MinSpreadBps <= MaxSpreadBps <= 10,000 (100 %).");
        }

        if (options.OddLotProbability is < 0 or > 1)
        {
            failures.Add($"{section}:OddLotProbability must be between 0 and 1.");
        }

        if (options.MaxSteps is <= 0)
        {
            failures.Add($"{section}:MaxSteps must be positive when set.");
        }

        return failures;
    }
}
