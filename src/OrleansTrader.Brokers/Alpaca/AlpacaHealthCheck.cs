using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>
/// Calls Alpaca (GET /v2/account) through the same pipelines as trading: healthy only when the key works and the
/// account is active and may trade. Never reports healthy without asking the venue, but asks it at most once per
/// <see cref="AnswerReusedFor"/> and one request at a time: readiness answers anyone without a key and no rate limit,
/// and each request to the venue takes a permit of the key's budget that order submits and cancels share (180 a minute),
/// so a monitor polling every second, or a flood of probes, would otherwise hold trading back.
/// </summary>
public sealed class AlpacaHealthCheck(AlpacaTradingClient client, TimeProvider time) : IHealthCheck
{
    /// <summary>How long the venue's answer stands for the checks after it: at most 6 of the key's 180 requests a minute.</summary>
    public static readonly TimeSpan AnswerReusedFor = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private Task<HealthCheckResult>? _asking;
    private long _askedAt;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        Task<HealthCheckResult> asking;
        lock (_lock)
        {
            // Elapsed time, not the wall clock's: set back an hour, the wall clock kept the answer an hour.
            if (_asking is null || (_asking.IsCompleted && time.GetElapsedTime(_askedAt) >= AnswerReusedFor))
            {
                _askedAt = time.GetTimestamp();

                // Not on the caller's token: the checks waiting on this request share it, and one probe that gives up
                // must not fail the others' answer. The client's own timeout and retries bound it.
                _asking = AskVenueAsync();
            }

            asking = _asking;
        }

        return asking.WaitAsync(cancellationToken);
    }

    private async Task<HealthCheckResult> AskVenueAsync()
    {
        try
        {
            var account = await client.GetAccountAsync(CancellationToken.None);
            if (!string.Equals(account.Status, "ACTIVE", StringComparison.Ordinal))
            {
                return HealthCheckResult.Unhealthy($"The Alpaca account status is {account.Status}.");
            }

            return account.TradingBlocked
                ? HealthCheckResult.Degraded("The Alpaca account is active but trading is blocked.")
                : HealthCheckResult.Healthy("The Alpaca account is active.");
        }
        catch (BrokerException ex)
        {
            return HealthCheckResult.Unhealthy($"Alpaca is not usable: {ex.Kind}.", ex);
        }
    }
}
