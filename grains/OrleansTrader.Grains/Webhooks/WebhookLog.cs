using Microsoft.Extensions.Logging;

namespace OrleansTrader.Grains.Webhooks;

internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 5801, Level = LogLevel.Information, Message = "Webhook {WebhookId} of account {AccountId} created, delivering to {Origin}")]
    public static partial void Created(ILogger logger, string accountId, string webhookId, string origin);

    [LoggerMessage(EventId = 5802, Level = LogLevel.Warning,
        Message = "Webhook {WebhookId} of account {AccountId}: attempt failed ({Failures} in a row): {Error}; next attempt in {Wait}")]
    public static partial void Failed(ILogger logger, string accountId, string webhookId, int failures, string? error, TimeSpan wait);

    [LoggerMessage(EventId = 5803, Level = LogLevel.Error,
        Message = "Webhook {WebhookId} of account {AccountId} disabled after {Failures} failed attempts: {Error}; resume it to deliver again")]
    public static partial void Disabled(ILogger logger, string accountId, string webhookId, int failures, string? error);

    [LoggerMessage(EventId = 5804, Level = LogLevel.Information, Message = "Webhook {WebhookId} of account {AccountId} resumed")]
    public static partial void Resumed(ILogger logger, string accountId, string webhookId);

    [LoggerMessage(EventId = 5805, Level = LogLevel.Information, Message = "Webhook {WebhookId} of account {AccountId} deleted")]
    public static partial void Deleted(ILogger logger, string accountId, string webhookId);

    [LoggerMessage(EventId = 5806, Level = LogLevel.Information,
        Message = "Webhook {WebhookId} of account {AccountId}: signing secret rotated; the old one keeps signing for {PreviousValidFor}")]
    public static partial void SecretRotated(ILogger logger, string accountId, string webhookId, TimeSpan previousValidFor);

    [LoggerMessage(EventId = 5807, Level = LogLevel.Warning,
        Message = "Webhook {WebhookId} of account {AccountId}: delivered through sequence {DeliveredThrough}, past the account's newest event {LastSequence} (its storage was reset or restored); delivering again from sequence {OldestSequence}, with truncatedBefore")]
    public static partial void PositionPastNewest(ILogger logger, string accountId, string webhookId, long deliveredThrough, long lastSequence, long oldestSequence);

    [LoggerMessage(EventId = 5808, Level = LogLevel.Error,
        Message = "Webhook {WebhookId} of account {AccountId} disabled: the receiver answered {Error}, its endpoint is gone; resume it to deliver again")]
    public static partial void DisabledAsGone(ILogger logger, string accountId, string webhookId, string? error);
}
