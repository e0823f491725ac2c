namespace OrleansTrader.Brokers.Tests.Fakes;

/// <summary>A failure the fake applies to the next <see cref="Times"/> requests matching method and path prefix.</summary>
public sealed record FakeFault(string Method, string PathPrefix, FakeFaultKind Kind)
{
    public int StatusCode { get; init; } = 500;

    public int? RetryAfterSeconds { get; init; }

    /// <summary>For 429: Alpaca's documented X-Ratelimit-Reset (unix seconds when the window resets).</summary>
    public long? RateLimitResetUnixSeconds { get; init; }

    /// <summary>For a 3xx status: the Location the answer names.</summary>
    public string? Location { get; init; }

    public TimeSpan Delay { get; init; }

    /// <summary>For the delay kinds: wait for this task instead of <see cref="Delay"/>.</summary>
    public Task? Gate { get; init; }

    public int Times { get; init; } = 1;
}
