namespace OrleansTrader.MarketData.Csv;

internal static class CsvHeaders
{
    public const string MinuteTradeBars = "time,open,high,low,close,volume";
    public const string MinuteQuoteBars = "time,bid_open,bid_high,bid_low,bid_close,bid_size,ask_open,ask_high,ask_low,ask_close,ask_size";
    public const string TradeTicks = "time,price,size,exchange,condition,suspicious";
    public const string QuoteTicks = "time,bid,bid_size,ask,ask_size,exchange,condition,suspicious";
    public const string DailyBars = "date,open,high,low,close,volume";

    public static string For(CsvFileKind kind) => kind switch
    {
        CsvFileKind.MinuteTradeBars => MinuteTradeBars,
        CsvFileKind.MinuteQuoteBars => MinuteQuoteBars,
        CsvFileKind.TradeTicks => TradeTicks,
        CsvFileKind.QuoteTicks => QuoteTicks,
        CsvFileKind.DailyBars => DailyBars,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown CSV file kind."),
    };

    public static int ColumnCount(CsvFileKind kind) => For(kind).Count(c => c == ',') + 1;
}
