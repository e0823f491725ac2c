using Microsoft.Extensions.Options;

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>
/// Refuses to start with missing or placeholder credentials or with a paper/live mismatch. Messages name the
/// setting, never its value.
/// </summary>
public sealed class AlpacaOptionsValidator : IValidateOptions<AlpacaOptions>
{
    private static readonly string[] Placeholders =
    [
        "your-key", "your_key", "yourkey", "your-secret", "your_secret", "changeme", "change-me", "xxx",
        "placeholder", "secret", "key", "none", "null",
    ];

    public ValidateOptionsResult Validate(string? name, AlpacaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckCredential(options.KeyId, "Alpaca:KeyId (environment variable Alpaca__KeyId)", failures);
        CheckCredential(options.SecretKey, "Alpaca:SecretKey (environment variable Alpaca__SecretKey)", failures);
        CheckHosts(options, failures);
        CheckLimits(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsPlaceholder(string value)
    {
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            return true;
        }

        if ((trimmed.StartsWith('<') && trimmed.EndsWith('>')) || (trimmed.StartsWith("${", StringComparison.Ordinal) && trimmed.EndsWith('}')))
        {
            return true;
        }

        if (trimmed.All(c => c is 'x' or 'X' or '*' or '.' or '-' or '_'))
        {
            return true;
        }

        return Placeholders.Any(p => string.Equals(p, trimmed, StringComparison.OrdinalIgnoreCase));
    }

    private static void CheckCredential(string? value, string setting, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{setting} is missing. Set it from the environment or a vault; it has no default.");
        }
        else if (IsPlaceholder(value))
        {
            failures.Add($"{setting} holds a placeholder, not a real credential.");
        }
    }

    private static void CheckHosts(AlpacaOptions options, List<string> failures)
    {
        var trading = options.ResolveTradingBaseUrl();
        var stream = options.ResolveStreamUrl();
        if (!options.Live && (IsLiveHost(trading) || IsLiveHost(stream)))
        {
            failures.Add("Alpaca:Live is false but a live Alpaca host is configured. Live trading needs Alpaca:Live=true.");
        }

        if (options.Live && (IsPaperHost(trading) || IsPaperHost(stream)))
        {
            failures.Add("Alpaca:Live is true but the paper Alpaca host is configured. Remove the override or set Alpaca:Live=false.");
        }

        foreach (var (uri, setting, schemes) in new[]
                 {
                     (trading, "Alpaca:TradingBaseUrl", new[] { "https", "http" }),
                     (stream, "Alpaca:StreamUrl", new[] { "wss", "ws" }),
                 })
        {
            if (!uri.IsAbsoluteUri || !schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"{setting} must be an absolute {schemes[0]} URL.");
            }
            else if (!uri.IsLoopback && !string.Equals(uri.Scheme, schemes[0], StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{setting} must use {schemes[0]} unless it points at this machine.");
            }
        }
    }

    private static void CheckLimits(AlpacaOptions options, List<string> failures)
    {
        if (options.MaxRequestsPerWindow <= 0 || options.RateLimitWindow <= TimeSpan.Zero)
        {
            failures.Add("Alpaca:MaxRequestsPerWindow and Alpaca:RateLimitWindow must be positive.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.StreamHandshakeTimeout <= TimeSpan.Zero)
        {
            failures.Add("Alpaca:RequestTimeout and Alpaca:StreamHandshakeTimeout must be positive.");
        }

        if (options.RequestTimeout > TimeSpan.Zero && options.SubmitTimeout < options.RequestTimeout * 2)
        {
            // Shorter, a submit whose answer is lost has no time left to look the order up.
            failures.Add("Alpaca:SubmitTimeout must be at least twice Alpaca:RequestTimeout (the submit's request and its look-up's).");
        }

        if (options.StreamKeepAliveInterval <= TimeSpan.Zero || options.StreamKeepAliveTimeout <= TimeSpan.Zero)
        {
            failures.Add("Alpaca:StreamKeepAliveInterval and Alpaca:StreamKeepAliveTimeout must be positive.");
        }

        if (options.MaxRetryAttempts < 0)
        {
            failures.Add("Alpaca:MaxRetryAttempts cannot be negative.");
        }

        if (options.CircuitFailureRatio is <= 0 or > 1 || options.CircuitMinimumThroughput < 2
            || options.CircuitSamplingDuration < TimeSpan.FromMilliseconds(500) || options.CircuitBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add("Alpaca circuit settings: ratio in (0,1], minimum throughput >= 2, sampling and break durations >= 500 ms.");
        }

        if (options.ExecutionDeduplicationWindow <= 0 || options.ReconnectBaseDelay <= TimeSpan.Zero || options.ReconnectMaxDelay < options.ReconnectBaseDelay)
        {
            failures.Add("Alpaca stream settings: deduplication window and reconnect delays must be positive, max >= base.");
        }

        if (options.BackfillOverlap < TimeSpan.Zero)
        {
            // A negative overlap starts the reconnect back-fill after the last fill seen: fills just after it are never back-filled.
            failures.Add("Alpaca:BackfillOverlap cannot be negative.");
        }
    }

    private static bool IsLiveHost(Uri uri) => string.Equals(uri.Host, AlpacaEndpoints.LiveTrading.Host, StringComparison.OrdinalIgnoreCase);

    private static bool IsPaperHost(Uri uri) => string.Equals(uri.Host, AlpacaEndpoints.PaperTrading.Host, StringComparison.OrdinalIgnoreCase);
}
