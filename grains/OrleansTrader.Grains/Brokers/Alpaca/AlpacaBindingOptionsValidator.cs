using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Brokers.Alpaca;

/// <summary>Refuses a silo with Alpaca keys but no bound account, or with an account id no account could have.</summary>
internal sealed class AlpacaBindingOptionsValidator : IValidateOptions<AlpacaBindingOptions>
{
    public ValidateOptionsResult Validate(string? name, AlpacaBindingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.AccountId))
        {
            failures.Add("Alpaca:AccountId (environment variable Alpaca__AccountId) is missing. One Alpaca key trades for exactly one "
                + "OrleansTrader account; name it here.");
        }
        else if (!IdRules.IsValid(options.AccountId))
        {
            // The API's own rule, as for Demo:AccountId: an id it refuses names an account no call could open or trade.
            failures.Add($"Alpaca:AccountId (environment variable Alpaca__AccountId) must be {IdRules.Description}, as the HTTP "
                + "API's account ids are.");
        }

        if (options.StreamUnhealthyTripAfter < TimeSpan.Zero)
        {
            failures.Add("Alpaca:StreamUnhealthyTripAfter cannot be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
