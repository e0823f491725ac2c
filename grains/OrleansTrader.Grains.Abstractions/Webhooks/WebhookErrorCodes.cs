namespace OrleansTrader.Grains.Abstractions;

public static class WebhookErrorCodes
{
    public const string NotFound = "WEBHOOK_NOT_FOUND";
    public const string AlreadyExists = "WEBHOOK_ALREADY_EXISTS";
    public const string Limit = "WEBHOOK_LIMIT";
    public const string InvalidKey = "WEBHOOK_KEY_INVALID";
    public const string InvalidUrl = "WEBHOOK_URL_INVALID";
    public const string InvalidRotation = "WEBHOOK_ROTATION_INVALID";
}
