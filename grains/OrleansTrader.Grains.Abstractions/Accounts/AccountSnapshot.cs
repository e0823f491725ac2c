using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// The account's figures. Money is unrounded (rounding happens where it is displayed). Valuation figures are null when a
/// position has no mark yet (<see cref="MissingMarks"/> names those symbols instead of inventing a price), or when the
/// account's amounts at its marks cannot be represented (<see cref="ValuationError"/> says why).
/// </summary>
public sealed record AccountSnapshot
{
    public required string AccountId { get; init; }

    public string? Name { get; init; }

    public required string Currency { get; init; }

    public required string Broker { get; init; }

    public required AccountType AccountType { get; init; }

    public required decimal Cash { get; init; }

    public decimal? Equity { get; init; }

    public decimal? BuyingPower { get; init; }

    public required decimal Reserved { get; init; }

    public decimal? LongMarketValue { get; init; }

    public decimal? ShortMarketValue { get; init; }

    public required decimal RealizedPnl { get; init; }

    public decimal? UnrealizedPnl { get; init; }

    public decimal? DayPnl { get; init; }

    public required decimal Fees { get; init; }

    public required decimal NetRealizedPnl { get; init; }

    public required decimal HighWaterMark { get; init; }

    /// <summary>The state that applies to orders: the more severe of the account's and the global breaker's.</summary>
    public required TradingState TradingState { get; init; }

    public required TradingState AccountBreakerState { get; init; }

    public required TradingState GlobalBreakerState { get; init; }

    public required int OpenOrderCount { get; init; }

    public required int InFlightOrderCount { get; init; }

    public required long LastEventSequence { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public IReadOnlyList<string> MissingMarks { get; init => field = value ?? []; } = [];

    /// <summary>
    /// Why the valuation figures are null when every position has a mark: the account's amounts at those marks are beyond
    /// what a decimal holds (a position marked at an absurd price). Null otherwise.
    /// </summary>
    public string? ValuationError { get; init; }

    public required DateTimeOffset OpenedAt { get; init; }

    public required DateTimeOffset AsOf { get; init; }
}
