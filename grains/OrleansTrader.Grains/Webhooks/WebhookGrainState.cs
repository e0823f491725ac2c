using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Webhooks;

/// <summary>A webhook's definition, its signing secret and where its delivery stands ("webhook" record of the webhook grain).</summary>
internal sealed record WebhookGrainState
{
    public bool Exists { get; set; }

    public string Url { get; set; } = string.Empty;

    public List<AccountEventKind> Kinds { get; set; } = [];

    public string? Description { get; set; }

    /// <summary>The HMAC key of the signature; stored because every request is signed with it, never shown after creation.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>Secrets replaced by rotations that still sign beside the current one, each until its time, newest first.</summary>
    public List<EarlierSecret> EarlierSecrets { get; set; } = [];

    public DateTimeOffset? SecretRotatedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public WebhookState State { get; set; }

    public long DeliveredThrough { get; set; }

    /// <summary>
    /// The last sequence of the request out or failed (null when none is; written before its first attempt): its retries,
    /// also after a restart, read no further, so they carry the same events with the same delivery id, as docs/api.md
    /// promises, and what came meanwhile goes in the next request.
    /// </summary>
    public long? PendingThrough { get; set; }

    /// <summary>
    /// The account's event stream numbered from the start again (its storage reset) since the position delivered through:
    /// the next request reads from the account's oldest event, and only its 2xx moves the position back into the new history.
    /// </summary>
    public bool AccountWentBack { get; set; }

    public long Deliveries { get; set; }

    public long EventsDelivered { get; set; }

    public int ConsecutiveFailures { get; set; }

    public DateTimeOffset? FailingSince { get; set; }

    /// <summary>
    /// How long the webhook had been failing at its last failure, in elapsed time: after a restart its failing time goes on
    /// from this, as <see cref="FailingSince"/> is a wall time that a clock step, or the silo's downtime, moves away.
    /// </summary>
    public TimeSpan? FailedFor { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    public DateTimeOffset? LastSuccessAt { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }
}

/// <summary>A rotated-out signing secret and until when it still signs.</summary>
internal sealed record EarlierSecret(string Secret, DateTimeOffset ValidUntil);
