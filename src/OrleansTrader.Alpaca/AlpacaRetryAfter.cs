using System.Globalization;
using System.Net;

namespace OrleansTrader.Alpaca;

/// <summary>How long an Alpaca answer asks the caller to wait before sending again.</summary>
internal static class AlpacaRetryAfter
{
    /// <summary>Unix seconds of 9999-12-31: a larger reset is not a date <see cref="DateTimeOffset"/> can hold.</summary>
    private const long MaxUnixSeconds = 253_402_300_800;

    /// <summary>
    /// Retry-After (seconds or a date) when sent; else, on a 429, Alpaca's documented X-Ratelimit-Reset (unix seconds
    /// at which the rate window resets): Alpaca's 429 carries that, not Retry-After, and a retry before then is
    /// refused again. A date already past is a zero wait. Null when neither is readable.
    /// </summary>
    public static TimeSpan? Read(HttpResponseMessage response, TimeProvider timeProvider)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        var now = timeProvider.GetUtcNow();
        if (header?.Date is { } date)
        {
            return date > now ? date - now : TimeSpan.Zero;
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests
            && response.Headers.TryGetValues("X-Ratelimit-Reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var resetSeconds)
            && resetSeconds is > 0 and < MaxUnixSeconds)
        {
            var reset = DateTimeOffset.FromUnixTimeSeconds(resetSeconds);
            return reset > now ? reset - now : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>
    /// The wait before retry <paramref name="attemptNumber"/> (0 for the first): what the answer asked for, or, when that is
    /// no wait at all, the backoff's own step (<paramref name="baseDelay"/> doubled per retry). A reset already past by this
    /// clock (it is whole seconds, and a clock a little ahead of Alpaca's reads it as passed) or a Retry-After of 0 would
    /// send the retry at once, into the same spent window.
    /// </summary>
    public static TimeSpan WaitOrBackoff(TimeSpan wait, TimeSpan baseDelay, int attemptNumber) =>
        wait > TimeSpan.Zero ? wait : baseDelay * Math.Pow(2, Math.Min(attemptNumber, 20));
}
