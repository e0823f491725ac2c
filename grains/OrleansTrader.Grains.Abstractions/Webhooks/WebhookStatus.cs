namespace OrleansTrader.Grains.Abstractions;

/// <summary>A webhook and where its delivery stands. The signing secret is never part of it.</summary>
public sealed record WebhookStatus
{
    public required string WebhookId { get; init; }

    public required string AccountId { get; init; }

    public required string Url { get; init; }

    /// <summary>The kinds delivered; empty for every kind.</summary>
    public required IReadOnlyList<AccountEventKind> Kinds { get; init; }

    public string? Description { get; init; }

    public required WebhookState State { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the signing secret was last replaced (null when never).</summary>
    public DateTimeOffset? SecretRotatedAt { get; init; }

    /// <summary>Until when requests also carry signatures with secrets replaced by rotations (null when they do not).</summary>
    public DateTimeOffset? PreviousSecretValidUntil { get; init; }

    /// <summary>The account event sequence delivered through (events after it are still to go).</summary>
    public required long DeliveredThroughSequence { get; init; }

    /// <summary>Requests the receiver answered with 2xx.</summary>
    public required long Deliveries { get; init; }

    /// <summary>Events in those requests.</summary>
    public required long EventsDelivered { get; init; }

    /// <summary>Failed attempts since the last success.</summary>
    public required int ConsecutiveFailures { get; init; }

    /// <summary>When the current run of failures began (null while delivering).</summary>
    public DateTimeOffset? FailingSince { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>Why the last attempt failed: the status code or the error (null after a success).</summary>
    public string? LastError { get; init; }

    /// <summary>When the next attempt is due after a failure (null when none waits).</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}
