using System.Globalization;
using System.IO.Compression;
using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Tests.Bars;

/// <summary>
/// A minimal reader for the shared CSVs, just enough for these tests (the production reader lives in MarketData).
/// Ticks: time,price,size,exchange,condition,suspicious. Minute bars: time,open,high,low,close,volume.
/// </summary>
internal static class MarketCsv
{
    public static IEnumerable<TradeTick> ReadTrades(string path, string symbol)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            var f = line.Split(',');
            yield return new TradeTick(
                symbol,
                ParseTime(f[0]),
                decimal.Parse(f[1], CultureInfo.InvariantCulture),
                decimal.Parse(f[2], CultureInfo.InvariantCulture),
                f[3],
                f[4],
                f[5] == "1");
        }
    }

    public static IEnumerable<Bar> ReadMinuteBars(string path, string symbol)
    {
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            yield return new Bar(
                symbol,
                ParseTime(f[0]),
                TimeSpan.FromMinutes(1),
                decimal.Parse(f[1], CultureInfo.InvariantCulture),
                decimal.Parse(f[2], CultureInfo.InvariantCulture),
                decimal.Parse(f[3], CultureInfo.InvariantCulture),
                decimal.Parse(f[4], CultureInfo.InvariantCulture),
                decimal.Parse(f[5], CultureInfo.InvariantCulture));
        }
    }

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
}
