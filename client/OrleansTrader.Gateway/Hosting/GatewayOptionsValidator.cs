using Microsoft.Extensions.Options;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway;

/// <summary>Bad gateway configuration stops startup with a message naming the setting.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    /// <summary>A configured bootstrap key must be at least this long: its id is derived from it, so it must be high-entropy.</summary>
    public const int MinBootstrapKeyLength = 32;

    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.BootstrapAdminKey is { } key
            && (key.Length < MinBootstrapKeyLength || key.Length > Security.ApiKeyHasher.MaxKeyLength || key.Any(c => c is <= ' ' or > '~')))
        {
            failures.Add($"Gateway:BootstrapAdminKey must be {MinBootstrapKeyLength} to {Security.ApiKeyHasher.MaxKeyLength} printable ASCII characters without spaces (a random secret).");
        }
        else if (options.BootstrapAdminKey is { } configured && IsPlaceholder(configured))
        {
            failures.Add("Gateway:BootstrapAdminKey holds a placeholder, not a secret: set a random one (e.g. openssl rand -base64 32).");
        }

        if (options.MaxRequestBodyBytes is < 1024 or > 1024 * 1024)
        {
            failures.Add("Gateway:MaxRequestBodyBytes must be between 1024 and 1048576.");
        }

        if (options.KeyCacheDuration < TimeSpan.Zero || options.KeyCacheDuration > TimeSpan.FromMinutes(10))
        {
            failures.Add("Gateway:KeyCacheDuration must be between 0 and 10 minutes.");
        }

        // Each key named on its own: "Gateway:RateLimits permits must be positive" left the user to find which of four it was.
        var limits = options.RateLimits;
        PositivePermits(limits.PermitsPerWindow, nameof(limits.PermitsPerWindow), failures);
        PositivePermits(limits.AnonymousPermitsPerWindow, nameof(limits.AnonymousPermitsPerWindow), failures);
        PositivePermits(limits.OrderPermitsPerWindow, nameof(limits.OrderPermitsPerWindow), failures);
        PositivePermits(limits.FailedKeyLookupsPerWindow, nameof(limits.FailedKeyLookupsPerWindow), failures);

        if (limits.Window <= TimeSpan.Zero)
        {
            failures.Add("Gateway:RateLimits:Window must be positive.");
        }

        if (options.Metrics.MaxSeriesPerInstrument < 1)
        {
            failures.Add("Gateway:Metrics:MaxSeriesPerInstrument must be positive.");
        }

        var events = options.Events;
        // An event stream waits the shorter of the two on a cancellation timer: both beyond its longest wait failed every
        // stream at its first quiet moment.
        EventInterval(events.HeartbeatInterval, nameof(events.HeartbeatInterval), failures);
        EventInterval(events.PollInterval, nameof(events.PollInterval), failures);
        if (events.PageSize is < 1 or > 1000)
        {
            failures.Add($"Gateway:Events:PageSize must be between 1 and 1000 (got {events.PageSize}).");
        }

        if (events.MaxStreamsPerKey is < 1 or > 10_000)
        {
            failures.Add("Gateway:Events:MaxStreamsPerKey must be between 1 and 10000.");
        }

        if (events.WriteTimeout < TimeSpan.FromSeconds(1) || events.WriteTimeout > TimeSpan.FromHours(1))
        {
            failures.Add("Gateway:Events:WriteTimeout must be between 00:00:01 and 01:00:00.");
        }

        if (options.Backtests.MaxConcurrent is < 1 or > 1_000)
        {
            failures.Add($"Gateway:Backtests:MaxConcurrent must be between 1 and 1000 (got {options.Backtests.MaxConcurrent}).");
        }

        var shedding = options.LoadShedding;
        if (shedding.MaxConcurrentRequests is < 1 or > 100_000)
        {
            failures.Add($"Gateway:LoadShedding:MaxConcurrentRequests must be between 1 and 100000 (got {shedding.MaxConcurrentRequests}).");
        }

        if (shedding.QueueLimit is < 0 or > 100_000)
        {
            failures.Add($"Gateway:LoadShedding:QueueLimit must be between 0 and 100000 (got {shedding.QueueLimit}).");
        }

        if (shedding.MaxConcurrentKeyLookups is < 1 or > 100_000)
        {
            failures.Add($"Gateway:LoadShedding:MaxConcurrentKeyLookups must be between 1 and 100000 (got {shedding.MaxConcurrentKeyLookups}).");
        }

        // A wait of minutes is the backlog the limit is there to bound, not a queue.
        if (shedding.QueueTimeout <= TimeSpan.Zero || shedding.QueueTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Gateway:LoadShedding:QueueTimeout must be positive and at most 00:10:00 (got {shedding.QueueTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void PositivePermits(int value, string key, List<string> failures)
    {
        if (value < 1)
        {
            failures.Add($"Gateway:RateLimits:{key} must be positive (got {value}).");
        }
    }

    private static void EventInterval(TimeSpan value, string key, List<string> failures)
    {
        if (value <= TimeSpan.Zero || value > TimerLimits.MaxSpan)
        {
            failures.Add($"Gateway:Events:{key} must be positive and at most {TimerLimits.MaxSpan} (got {value}).");
        }
    }

    /// <summary>Fewer distinct characters than this is a pattern, not a secret (a random 32-character key has about 25).</summary>
    private const int MinDistinctCharacters = 10;

    private static readonly string[] PlaceholderWords =
        ["changeme", "change-me", "change_me", "placeholder", "replace", "your-", "your_", "example", "xxxx", "secret-here", "key-here"];

    /// <summary>An unexpanded template (<c>${VAR}</c>, <c>{{ var }}</c>, <c>&lt;...&gt;</c>, <c>%VAR%</c>), a stock word, or a repeated pattern.</summary>
    internal static bool IsPlaceholder(string key) =>
        (key.StartsWith('<') && key.EndsWith('>'))
        || (key.StartsWith("${", StringComparison.Ordinal) && key.EndsWith('}'))
        || (key.StartsWith("{{", StringComparison.Ordinal) && key.EndsWith("}}", StringComparison.Ordinal))
        || (key.StartsWith('%') && key.EndsWith('%'))
        || PlaceholderWords.Any(word => key.Contains(word, StringComparison.OrdinalIgnoreCase))
        || key.Distinct().Count() < MinDistinctCharacters;
}
