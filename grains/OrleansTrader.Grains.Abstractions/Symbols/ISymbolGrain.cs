using OrleansTrader.Domain.Market;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// One symbol's market data (key: symbol). Validates and de-duplicates ticks (every rejection counted by reason), keeps
/// the last trade and quote, aggregates 1-second and 1-minute bars, flags staleness, publishes validated ticks on
/// "ticks"/symbol and completed bars on "bars"/symbol, and forwards validated ticks to the paper exchange.
/// </summary>
public interface ISymbolGrain : IGrainWithStringKey
{
    /// <summary>Ingests a batch of trades and quotes in timestamp order; returns how many were accepted.</summary>
    Task<IngestResult> IngestAsync(TickBatch batch);

    /// <summary>
    /// The feed has ended (a replay's last row): publishes the bars still open, which no later trade will complete.
    /// Live data's bars also close on the clock once their interval has ended.
    /// </summary>
    Task CloseBarsAsync();

    /// <summary>
    /// The highest <see cref="TickBatch.ReplayPosition"/> this activation has taken in (0 before any; kept in memory only).
    /// Asked after an ingest call failed, it answers after that call: it waits behind it in the mailbox (it must never
    /// interleave), and a call that timed out there was either withdrawn or ran to its end first.
    /// </summary>
    [ReadOnly]
    Task<long> GetReplayPositionAsync();

    [ReadOnly]
    Task<SymbolQuote> GetQuoteAsync();

    /// <summary>Completed bars of <paramref name="interval"/> (1 s or 1 min) starting in [from, to), oldest first (bounded history).</summary>
    [ReadOnly]
    Task<IReadOnlyList<Bar>> GetBarsAsync(TimeSpan interval, DateTimeOffset from, DateTimeOffset to);

    [ReadOnly]
    Task<SymbolDataStats> GetStatsAsync();
}
