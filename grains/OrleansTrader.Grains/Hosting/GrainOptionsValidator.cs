using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.ApiKeys;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Symbols;
using OrleansTrader.Grains.Webhooks;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Hosting;

/// <summary>Startup validation of the grains' tuning (sections "Trading:Accounts", "Trading:Symbols", "Trading:Webhooks", "Trading:ApiKeys" and "Backtests").</summary>
internal sealed class GrainOptionsValidator :
    IValidateOptions<AccountGrainOptions>, IValidateOptions<SymbolGrainOptions>, IValidateOptions<BacktestFilesOptions>, IValidateOptions<WebhookOptions>,
    IValidateOptions<ApiKeyRegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Section = WebhookOptions.SectionName;
        // The request's timeout and the waits before a retry (the backoff, a receiver's Retry-After up to MaxRetryAfter) arm a timer.
        PositiveTimerSpan(options.Timeout, $"{Section}:Timeout", failures);
        Positive(options.MaxEventsPerRequest, $"{Section}:MaxEventsPerRequest", failures);
        PositiveTimerSpan(options.FirstRetryDelay, $"{Section}:FirstRetryDelay", failures);
        PositiveTimerSpan(options.MaxRetryDelay, $"{Section}:MaxRetryDelay", failures);
        PositiveTimerSpan(options.MaxRetryAfter, $"{Section}:MaxRetryAfter", failures);
        Positive(options.DisableAfter, $"{Section}:DisableAfter", failures);
        if (options.MaxEventsPerRequest > 1000)
        {
            failures.Add($"{Section}:MaxEventsPerRequest must be at most 1000 (got {options.MaxEventsPerRequest}).");
        }

        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, ApiKeyRegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Section = ApiKeyRegistryOptions.SectionName;
        Positive(options.MaxActiveKeys, $"{Section}:MaxActiveKeys", failures);
        if (options.RevokedKeysKept < 0)
        {
            failures.Add($"{Section}:RevokedKeysKept must not be negative (got {options.RevokedKeysKept}).");
        }

        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, AccountGrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Section = AccountGrainOptions.SectionName;
        Positive(options.HistoryPageSize, $"{Section}:HistoryPageSize", failures);
        Positive(options.HistoryPages, $"{Section}:HistoryPages", failures);
        Positive(options.DaysKept, $"{Section}:DaysKept", failures);
        Positive(options.TradePagesKept, $"{Section}:TradePagesKept", failures);
        Positive(options.HistoryPagesInMemory, $"{Section}:HistoryPagesInMemory", failures);
        PositiveTimerSpan(options.ReconcileInterval, $"{Section}:ReconcileInterval", failures);
        PositiveTimerSpan(options.SignalInterval, $"{Section}:SignalInterval", failures);
        if (options.InFlightGrace < TimeSpan.Zero)
        {
            failures.Add($"{Section}:InFlightGrace must not be negative (got {options.InFlightGrace}).");
        }
        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, SymbolGrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Section = SymbolGrainOptions.SectionName;
        PositiveTimerSpan(options.StaleAfter, $"{Section}:StaleAfter", failures);
        PositiveTimerSpan(options.PersistInterval, $"{Section}:PersistInterval", failures);
        // Now less the delay is the close's cutoff: a delay of millennia failed every bar-closing timer tick.
        if (options.BarCloseDelay < TimeSpan.Zero || options.BarCloseDelay > TimerLimits.MaxSpan)
        {
            failures.Add($"{Section}:BarCloseDelay must be between 0 and {TimerLimits.MaxSpan} (got {options.BarCloseDelay}).");
        }

        Positive(options.SecondBarsKept, $"{Section}:SecondBarsKept", failures);
        Positive(options.MinuteBarsKept, $"{Section}:MinuteBarsKept", failures);
        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, BacktestFilesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.DataPath is { Length: > 0 } path && !Directory.Exists(path)
            ? ValidateOptionsResult.Fail(
                $"{BacktestFilesOptions.SectionName}:DataPath is '{path}' ({Path.GetFullPath(path)}), which is not a folder: point it at market-data files (minute/, daily/) or leave it unset.")
            : ValidateOptionsResult.Success;
    }

    private static void Positive(int value, string key, List<string> failures)
    {
        if (value < 1)
        {
            failures.Add($"{key} must be positive (got {value}).");
        }
    }

    private static void Positive(TimeSpan value, string key, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key} must be positive (got {value}).");
        }
    }

    /// <summary>
    /// Positive and at most <see cref="TimerLimits.MaxSpan"/>: the grains arm timers with these spans, and a longer one was accepted
    /// here only to fail every activation of the account or symbol grains (or every webhook request) at its first use.
    /// </summary>
    private static void PositiveTimerSpan(TimeSpan value, string key, List<string> failures)
    {
        Positive(value, key, failures);
        if (value > TimerLimits.MaxSpan)
        {
            failures.Add($"{key} must be at most {TimerLimits.MaxSpan} (a timer's longest wait; got {value}).");
        }
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
