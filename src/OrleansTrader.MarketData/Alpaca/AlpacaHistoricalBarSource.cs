using OrleansTrader.Domain.Market;

namespace OrleansTrader.MarketData.Alpaca;

/// <summary>
/// The latest minute bars from Alpaca's history. The API pages forward in time, so the source asks for a window that
/// ends at the given time and widens it while it holds too few bars: nights, weekends and holidays have none.
/// </summary>
public sealed class AlpacaHistoricalBarSource(AlpacaHistoricalBarsClient client) : IHistoricalBarSource
{
    // The first window covers the bars wanted twice over plus an hour; the wider ones reach over a long weekend and a
    // holiday, then over a week's closures.
    private static readonly TimeSpan[] Widenings = [TimeSpan.FromDays(4), TimeSpan.FromDays(10)];

    public string Name => "alpaca";

    public async Task<IReadOnlyList<Bar>> GetLatestBarsAsync(string symbol, TimeSpan interval, int count, DateTimeOffset before, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0 || interval != TimeSpan.FromMinutes(1))
        {
            return [];
        }

        var window = (interval * count * 2) + TimeSpan.FromHours(1);
        IReadOnlyList<Bar> bars = [];
        foreach (var span in Widenings.Where(w => w > window).Prepend(window))
        {
            // Alpaca's bar for the current minute may still be forming: only bars that have ended count.
            bars = [.. (await client.GetAllBarsAsync(symbol, before - span, before, interval, cancellationToken)).Where(b => b.End <= before)];
            if (bars.Count >= count)
            {
                break;
            }
        }

        return bars.Count > count ? bars.Skip(bars.Count - count).ToArray() : bars;
    }
}
