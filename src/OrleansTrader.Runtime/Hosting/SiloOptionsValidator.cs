using Microsoft.Extensions.Options;

namespace OrleansTrader.Runtime;

internal sealed class SiloOptionsValidator : IValidateOptions<SiloOptions>
{
    /// <summary>
    /// The longest span a system timer (and so a cancellation or wait deadline) accepts: 0xFFFFFFFE ms, about 49.7 days.
    /// An activation or deactivation timeout beyond it would throw only when armed: every activation would hang and a
    /// graceful stop would throw.
    /// </summary>
    private static readonly TimeSpan MaxTimerSpan = TimeSpan.FromMilliseconds(0xFFFFFFFE);

    public ValidateOptionsResult Validate(string? name, SiloOptions options)
    {
        var failures = new List<string>();
        if (options.ResponseTimeout <= TimeSpan.Zero)
        {
            failures.Add($"SiloOptions.ResponseTimeout must be positive (was {options.ResponseTimeout}).");
        }

        if (options.CollectionAge <= TimeSpan.Zero)
        {
            failures.Add($"SiloOptions.CollectionAge must be positive (was {options.CollectionAge}).");
        }

        if (options.CollectionQuantum <= TimeSpan.Zero)
        {
            failures.Add($"SiloOptions.CollectionQuantum must be positive (was {options.CollectionQuantum}).");
        }

        if (options.ActivationTimeout <= TimeSpan.Zero || options.ActivationTimeout > MaxTimerSpan)
        {
            failures.Add($"SiloOptions.ActivationTimeout must be positive and at most {MaxTimerSpan} (was {options.ActivationTimeout}).");
        }

        if (options.DeactivationTimeout <= TimeSpan.Zero || options.DeactivationTimeout > MaxTimerSpan)
        {
            failures.Add($"SiloOptions.DeactivationTimeout must be positive and at most {MaxTimerSpan} (was {options.DeactivationTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
