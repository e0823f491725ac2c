using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// One webhook of one account (key <see cref="WebhookKey"/>: "accountId/webhookId"): it POSTs the account's events, in
/// order and signed, to a URL of the user's. Delivery is at least once: an event is delivered again until the receiver
/// answers 2xx, after a failure with a growing delay (the receiver's Retry-After honoured); a webhook failing for
/// longer than its limit, or whose receiver answers 410 Gone, is disabled until resumed. See docs/api.md, "Webhooks".
/// </summary>
public interface IWebhookGrain : IGrainWithStringKey
{
    /// <summary>Creates the webhook; its signing secret is in the result, and only there.</summary>
    Task<WebhookCommandResult> CreateAsync(CreateWebhook command);

    /// <summary>The webhook and its delivery state; null when it does not exist. Answers during a delivery too.</summary>
    [AlwaysInterleave]
    Task<WebhookStatus?> GetStatusAsync();

    /// <summary>Delivers again after the webhook was disabled, from the first event it has not delivered.</summary>
    Task<WebhookCommandResult> ResumeAsync();

    /// <summary>
    /// Replaces the signing secret; the new one is in the result, and only there. For <paramref name="previousValidFor"/>
    /// requests are signed with both (a receiver accepts either while it switches over), then with the new one alone.
    /// </summary>
    Task<WebhookCommandResult> RotateSecretAsync(TimeSpan previousValidFor);

    /// <summary>Stops delivery and forgets the webhook.</summary>
    Task<WebhookCommandResult> DeleteAsync();
}
