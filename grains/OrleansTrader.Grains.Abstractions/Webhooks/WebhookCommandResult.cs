namespace OrleansTrader.Grains.Abstractions;

/// <summary>The outcome of a webhook command: the status afterwards and, on creation only, the signing secret; or an error code from <see cref="WebhookErrorCodes"/>.</summary>
public sealed record WebhookCommandResult(bool Succeeded, WebhookStatus? Status, string? Secret = null, string? ErrorCode = null, string? Message = null)
{
    /// <summary>The request field the error is about, for a validation problem (null otherwise).</summary>
    public string? Field { get; init; }
}
