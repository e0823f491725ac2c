using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.MarketData.Health;

/// <summary>A point-in-time view of a feed for readiness checks and dashboards.</summary>
public sealed record FeedHealth
{
    public required string FeedName { get; init; }

    public required FeedState State { get; init; }

    public required DateTimeOffset? StateSince { get; init; }

    /// <summary>Wall-clock time (from the feed's TimeProvider) of the last event delivered per symbol.</summary>
    public required IReadOnlyDictionary<string, DateTimeOffset> LastEventTimeBySymbol { get; init; }

    /// <summary>Ticks the validator rejected, by reason. Every rejection is counted here.</summary>
    public required IReadOnlyDictionary<RejectionReason, long> RejectedByReason { get; init; }

    /// <summary>Rows or messages that could not be parsed at all, by reason.</summary>
    public required IReadOnlyDictionary<MalformedReason, long> MalformedByReason { get; init; }

    public required long EventsDelivered { get; init; }

    /// <summary>Events whose data time was earlier than the previous event's (replay of exchange data).</summary>
    public required long OutOfOrderEvents { get; init; }

    public required long Reconnects { get; init; }

    public int? LastErrorCode { get; init; }

    public string? LastErrorMessage { get; init; }

    public bool IsConnected => State == FeedState.Connected;

    public bool IsDegraded => State == FeedState.Degraded;

    public long TotalRejected => RejectedByReason.Values.Sum();

    public long TotalMalformed => MalformedByReason.Values.Sum();
}
