using Microsoft.Extensions.Options;

namespace OrleansTrader.MarketData.Validation;

internal sealed class TickValidatorOptionsValidator : IValidateOptions<TickValidatorOptions>
{
    public ValidateOptionsResult Validate(string? name, TickValidatorOptions options)
    {
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> Collect(TickValidatorOptions options)
    {
        var failures = new List<string>();
        if (options.PriceBandPercent < 0m)
        {
            failures.Add($"{TickValidatorOptions.SectionName}:PriceBandPercent must be >= 0 (0 disables the band).");
        }

        if (options.BandWarmupCount < 0)
        {
            failures.Add($"{TickValidatorOptions.SectionName}:BandWarmupCount must be >= 0.");
        }

        if (options.ReanchorAfterConsecutiveRejections < 1)
        {
            failures.Add($"{TickValidatorOptions.SectionName}:ReanchorAfterConsecutiveRejections must be >= 1.");
        }

        if (options.DuplicateWindowSize is < 1 or > 1_000_000)
        {
            failures.Add($"{TickValidatorOptions.SectionName}:DuplicateWindowSize must be between 1 and 1000000.");
        }

        if (options.MaxSymbols is < 1 or > 1_000_000)
        {
            failures.Add($"{TickValidatorOptions.SectionName}:MaxSymbols must be between 1 and 1000000.");
        }

        if (options.MaxPrice <= 0m)
        {
            failures.Add($"{TickValidatorOptions.SectionName}:MaxPrice must be > 0.");
        }

        if (options.MaxSize <= 0m)
        {
            failures.Add($"{TickValidatorOptions.SectionName}:MaxSize must be > 0.");
        }

        return failures;
    }
}
