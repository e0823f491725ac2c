using Microsoft.Extensions.Options;

namespace OrleansTrader.MarketData.Alpaca;

/// <summary>Stops startup on missing or placeholder credentials and on impossible settings. Messages never echo a key.</summary>
internal sealed class AlpacaMarketDataOptionsValidator : IValidateOptions<AlpacaMarketDataOptions>
{
    private static readonly string[] Feeds = ["iex", "sip", "delayed_sip", "test"];

    private static readonly string[] Placeholders =
    [
        "your-key-here", "your-secret-here", "your_key_here", "your_secret_here", "your-api-key", "your-secret-key",
        "changeme", "change-me", "change_me", "placeholder", "replace-me", "replaceme", "secret", "key", "xxx", "todo",
        "none", "null", "test", "example",
    ];

    public ValidateOptionsResult Validate(string? name, AlpacaMarketDataOptions options) =>
        Collect(options) is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;

    internal static List<string> Collect(AlpacaMarketDataOptions options)
    {
        var section = AlpacaMarketDataOptions.SectionName;
        var failures = new List<string>();
        CheckCredential(options.KeyId, $"{section}:KeyId", failures);
        CheckCredential(options.SecretKey, $"{section}:SecretKey", failures);
        if (!Feeds.Contains(options.Feed, StringComparer.Ordinal))
        {
            failures.Add($"{section}:Feed must be one of {string.Join(", ", Feeds)}.");
        }

        if (options.StreamBaseUrl is not { IsAbsoluteUri: true } stream || (stream.Scheme != "wss" && stream.Scheme != "ws"))
        {
            failures.Add($"{section}:StreamBaseUrl must be an absolute ws:// or wss:// URL.");
        }
        else if (stream.Scheme != "wss" && !stream.IsLoopback)
        {
            // The stream's first message holds the key id and the secret key: in plain text anyone on the way reads them.
            failures.Add($"{section}:StreamBaseUrl must use wss unless it points at this machine.");
        }

        if (options.DataBaseUrl is not { IsAbsoluteUri: true } data || (data.Scheme != Uri.UriSchemeHttps && data.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{section}:DataBaseUrl must be an absolute http:// or https:// URL.");
        }
        else if (data.Scheme != Uri.UriSchemeHttps && !data.IsLoopback)
        {
            // Every bars request carries the keys as headers.
            failures.Add($"{section}:DataBaseUrl must use https unless it points at this machine.");
        }

        if (options.Symbols.Any(s => string.IsNullOrWhiteSpace(s) || s.Contains(',', StringComparison.Ordinal)))
        {
            failures.Add($"{section}:Symbols has an empty or malformed symbol.");
        }

        if (!options.SubscribeTrades && !options.SubscribeQuotes && !options.SubscribeBars)
        {
            // A stream with no channel delivers nothing: a feed that looks connected while every symbol goes stale.
            failures.Add($"{section}: at least one of SubscribeTrades, SubscribeQuotes and SubscribeBars must be true.");
        }

        Positive(options.AuthTimeout, "AuthTimeout", failures);
        Positive(options.ConnectTimeout, "ConnectTimeout", failures);
        Positive(options.KeepAliveInterval, "KeepAliveInterval", failures);
        Positive(options.KeepAliveTimeout, "KeepAliveTimeout", failures);
        Positive(options.ReconnectInitialDelay, "ReconnectInitialDelay", failures);
        Positive(options.RequestTimeout, "RequestTimeout", failures);
        Positive(options.BreakerSamplingDuration, "BreakerSamplingDuration", failures);
        Positive(options.BreakerBreakDuration, "BreakerBreakDuration", failures);
        if (options.ReconnectMaxDelay < options.ReconnectInitialDelay)
        {
            failures.Add($"{section}:ReconnectMaxDelay must be >= ReconnectInitialDelay.");
        }

        if (options.ChannelCapacity < 1 || options.MaxMessageBytes < 1024 || options.PageLimit is < 1 or > 10_000)
        {
            failures.Add($"{section}: ChannelCapacity >= 1, MaxMessageBytes >= 1024 and PageLimit 1..10000 are required.");
        }

        if (options.RequestsPerMinute < 1 || options.MaxRetryAttempts < 0 || options.BreakerMinimumThroughput < 2 ||
            options.BreakerFailureRatio is <= 0 or > 1 || options.RetryBaseDelay < TimeSpan.Zero)
        {
            failures.Add($"{section}: RequestsPerMinute >= 1, MaxRetryAttempts >= 0, BreakerMinimumThroughput >= 2, " +
                "BreakerFailureRatio in (0, 1] and RetryBaseDelay >= 0 are required.");
        }

        return failures;
    }

    private static void CheckCredential(string? value, string key, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{key} is missing; set it from the environment or a secret store.");
            return;
        }

        var trimmed = value.Trim();
        if (Placeholders.Contains(trimmed, StringComparer.OrdinalIgnoreCase) ||
            trimmed.StartsWith('<') || trimmed.StartsWith("${", StringComparison.Ordinal) || trimmed.StartsWith('{') ||
            trimmed.StartsWith("your", StringComparison.OrdinalIgnoreCase) || trimmed.All(c => c == 'x' || c == 'X' || c == '*'))
        {
            failures.Add($"{key} holds a placeholder, not a credential.");
        }
    }

    private static void Positive(TimeSpan value, string name, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{AlpacaMarketDataOptions.SectionName}:{name} must be positive.");
        }
    }
}
