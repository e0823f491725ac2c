using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Bars;

/// <summary>
/// The open bar. Open is the price of the earliest trade by timestamp and close the latest by timestamp, so a print
/// slightly out of order inside the bar lands where it belongs; among equal timestamps arrival order decides
/// (the first to arrive stays open, the last to arrive becomes close).
/// </summary>
internal sealed class BarBuilder
{
    public BarBuilder(DateTimeOffset start, DateTimeOffset timestamp, decimal price, decimal size)
    {
        Start = start;
        OpenTime = timestamp;
        CloseTime = timestamp;
        Open = price;
        High = price;
        Low = price;
        Close = price;
        Volume = size;
        TradeCount = 1;
    }

    public DateTimeOffset Start { get; }

    public DateTimeOffset OpenTime { get; private set; }

    public DateTimeOffset CloseTime { get; private set; }

    public decimal Open { get; private set; }

    public decimal High { get; private set; }

    public decimal Low { get; private set; }

    public decimal Close { get; private set; }

    public decimal Volume { get; private set; }

    public int TradeCount { get; private set; }

    public void Fold(DateTimeOffset timestamp, decimal price, decimal size)
    {
        if (timestamp < OpenTime)
        {
            OpenTime = timestamp;
            Open = price;
        }

        if (timestamp >= CloseTime)
        {
            CloseTime = timestamp;
            Close = price;
        }

        High = Math.Max(High, price);
        Low = Math.Min(Low, price);
        Volume += size;
        TradeCount++;
    }

    public Bar ToBar(string symbol, DateTimeOffset start, TimeSpan interval) =>
        new(symbol, start, interval, Open, High, Low, Close, Volume, TradeCount);
}
