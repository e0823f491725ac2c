using OrleansTrader.Domain.Market;

namespace OrleansTrader.MarketData;

/// <summary>
/// Completed bars from before the silo saw them: a data vendor's history of the same feed the silo trades on. The
/// strategy grain asks it first when it warms a new strategy up, and falls back to the bars its symbol grains hold.
/// </summary>
public interface IHistoricalBarSource
{
    /// <summary>Names the source in a strategy's status and in the log, e.g. "alpaca".</summary>
    string Name { get; }

    /// <summary>
    /// Up to <paramref name="count"/> of the latest completed bars of <paramref name="interval"/> that end at or before
    /// <paramref name="before"/>, oldest first; fewer when the source has fewer, none for an interval it does not serve.
    /// Throws when the source cannot answer (the caller falls back).
    /// </summary>
    Task<IReadOnlyList<Bar>> GetLatestBarsAsync(string symbol, TimeSpan interval, int count, DateTimeOffset before, CancellationToken cancellationToken);
}
