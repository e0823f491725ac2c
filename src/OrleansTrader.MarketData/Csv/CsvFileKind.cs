namespace OrleansTrader.MarketData.Csv;

public enum CsvFileKind
{
    /// <summary><c>time,open,high,low,close,volume</c>: one-minute trade bars.</summary>
    MinuteTradeBars = 0,

    /// <summary><c>time,bid_open,...,ask_size</c>: one-minute quote bars, replayed as the closing quote.</summary>
    MinuteQuoteBars,

    /// <summary><c>time,price,size,exchange,condition,suspicious</c>: every trade.</summary>
    TradeTicks,

    /// <summary><c>time,bid,bid_size,ask,ask_size,exchange,condition,suspicious</c>: every top-of-book quote.</summary>
    QuoteTicks,

    /// <summary><c>date,open,high,low,close,volume</c>: daily bars.</summary>
    DailyBars,
}
