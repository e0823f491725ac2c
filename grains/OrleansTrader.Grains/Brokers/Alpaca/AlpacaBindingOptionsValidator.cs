using Microsoft.Extensions.Options;

namespace OrleansTrader.Grains.Brokers.Alpaca;

/// <summary>Refuses a silo with Alpaca keys but no bound account, or with an account id no account could have.</summary>
internal sealed class AlpacaBindingOptionsValidator : IValidateOptions<AlpacaBindingOptions>
{
    private const int MaxAccountIdLength = 64;

    public ValidateOptionsResult Validate(string? name, AlpacaBindingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.AccountId))
        {
            failures.Add("Alpaca:AccountId (environment variable Alpaca__AccountId) is missing. One Alpaca key trades for exactly one "
                + "OrleansTrader account; name it here.");
        }
        else if (options.AccountId != options.AccountId.Trim() || options.AccountId.Length > MaxAccountIdLength
                 || options.AccountId.Any(char.IsControl))
        {
            failures.Add($"Alpaca:AccountId must be an account id of at most {MaxAccountIdLength} characters without surrounding spaces.");
        }

        if (options.StreamUnhealthyTripAfter < TimeSpan.Zero)
        {
            failures.Add("Alpaca:StreamUnhealthyTripAfter cannot be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
