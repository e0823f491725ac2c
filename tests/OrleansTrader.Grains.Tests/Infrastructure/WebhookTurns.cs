using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>Barriers on a webhook grain's turns, for tests that move a fake clock after a delivery failed.</summary>
internal static class WebhookTurns
{
    /// <summary>
    /// Returns once the turn that took a failed attempt's outcome has ended, its retry's timer armed. The status answers
    /// during that turn (it interleaves) and shows the failure before the turn's write is done, while a grain timer changed
    /// in its own tick is armed only when the tick ends: a clock moved in between (a slow write on a busy machine) passed
    /// before the retry was scheduled, and the retry never came ("Timed out waiting for ... ConsecutiveFailures = 1").
    /// Creating the existing webhook again changes nothing and does not interleave, so it answers only after that turn.
    /// </summary>
    public static async Task RetryScheduledAsync(IWebhookGrain webhook) =>
        Assert.Equal(WebhookErrorCodes.AlreadyExists, (await webhook.CreateAsync(new CreateWebhook { Url = "https://receiver.example/again" })).ErrorCode);
}
