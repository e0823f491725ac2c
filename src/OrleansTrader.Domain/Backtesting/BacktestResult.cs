using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Statistics;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Backtesting;

public sealed record BacktestResult
{
    public required IReadOnlyList<OrderIntent> Intents { get; init; }

    public required IReadOnlyList<Execution> Executions { get; init; }

    public required IReadOnlyList<StrategyOrderUpdate> OrderUpdates { get; init; }

    /// <summary>The initial cash at the first bar's start, then equity (cash plus positions at the last close) at each distinct bar end time.</summary>
    public required IReadOnlyList<EquityPoint> EquityCurve { get; init; }

    /// <summary>Closed round trips (flat to flat, or flat to a flip). A position still open at the end is not one.</summary>
    public required IReadOnlyList<RoundTripTrade> RoundTrips { get; init; }

    /// <summary>The round trips still open after the last bar, one per symbol with a position.</summary>
    public IReadOnlyList<OpenRoundTrip> OpenRoundTrips { get; init; } = [];

    public required IReadOnlyDictionary<string, Position> Positions { get; init; }

    public required decimal Cash { get; init; }

    public required decimal TotalFees { get; init; }

    /// <summary>The strategy's snapshot after the last bar.</summary>
    public required StrategyState FinalState { get; init; }

    public PerformanceReport ComputeStatistics(int periodsPerYear, double riskFreeRate = 0d) =>
        PerformanceStatistics.Compute(EquityCurve, RoundTrips, TotalFees, periodsPerYear, riskFreeRate, OpenRoundTrips);
}
