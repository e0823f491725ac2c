using Microsoft.Extensions.Options;

namespace OrleansTrader.Runtime;

internal sealed class SiloOptionsValidator : IValidateOptions<SiloOptions>
{
    // An activation or deactivation timeout beyond a timer's longest wait would throw only when armed: every activation
    // would hang and a graceful stop would throw.
    private static readonly TimeSpan MaxTimerSpan = TimerLimits.MaxSpan;

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
