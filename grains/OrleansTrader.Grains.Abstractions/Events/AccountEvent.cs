namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// One account event, numbered by a per-account sequence that only grows (the SSE id; resume with Last-Event-ID through
/// <see cref="IAccountGrain.GetEventsAsync"/>). Exactly one payload is set, as <see cref="Kind"/> says. Published on the
/// memory stream <see cref="StreamNames.AccountEvents"/> keyed by account id.
/// </summary>
public sealed record AccountEvent
{
    public required long Sequence { get; init; }

    public required string AccountId { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required AccountEventKind Kind { get; init; }

    public AccountOrder? Order { get; init; }

    public AccountFill? Fill { get; init; }

    public BreakerSnapshot? Breaker { get; init; }

    public CashTransfer? Transfer { get; init; }
}
