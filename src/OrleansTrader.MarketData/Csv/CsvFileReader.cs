using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.ExceptionServices;
using OrleansTrader.Domain.Market;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;
using OrleansTrader.MarketData.Time;

namespace OrleansTrader.MarketData.Csv;

/// <summary>
/// Streams one CSV file as market data events, row by row (never the whole file in memory). Rows that cannot be
/// parsed are reported to the error callback with their line number and skipped; a wrong header fails at open.
/// </summary>
internal sealed class CsvFileReader : IDisposable
{
    private const NumberStyles DecimalStyle = NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign;
    private static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    // A time on a file's date in some time zone (UTC-12 to UTC+14) lies from 14 h before that UTC day to 12 h after it.
    private static readonly TimeSpan BeforeUtcDay = TimeSpan.FromHours(14);
    private static readonly TimeSpan AfterUtcDay = TimeSpan.FromHours(12);

    // Rows in date order are never later than both their neighbours, nor earlier than both; a row a few days out of place
    // is left to the out-of-order count, as exchange data's small disorder is.
    private static readonly TimeSpan FarFromNeighbours = TimeSpan.FromDays(7);
    private static readonly TimeSpan FarFromOnlyNeighbour = TimeSpan.FromDays(365);

    private readonly CsvSource _source;
    private readonly Action<CsvRowError> _onError;
    private readonly DateOnly? _from;
    private readonly DateOnly? _to;
    private readonly StreamReader _reader;
    private readonly int _columns;
    private readonly DateTimeOffset? _dayStart;
    private long _line = 1;
    private readonly List<(MarketDataEvent Event, long Line)> _ahead = new(2);
    private DateTimeOffset? _lastDailyStart;
    private ExceptionDispatchInfo? _aheadFailure;

    private CsvFileReader(CsvSource source, StreamReader reader, Action<CsvRowError> onError, DateOnly? from, DateOnly? to)
    {
        _source = source;
        _reader = reader;
        _onError = onError;
        _from = from;
        _to = to;
        _columns = CsvHeaders.ColumnCount(source.Kind);
        _dayStart = CsvSourceDiscovery.DayOf(source) is { } day ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
    }

    public CsvSource Source => _source;

    public long RowsRead { get; private set; }

    public long BadRows { get; private set; }

    /// <summary>Opens the file and checks its header; throws <see cref="CsvFormatException"/> when it is not the expected format.</summary>
    public static CsvFileReader Open(CsvSource source, Action<CsvRowError> onError, DateOnly? from = null, DateOnly? to = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        FileStream file;
        try
        {
            file = new FileStream(source.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CsvFormatException($"Cannot open market data file '{source.Path}': {ex.Message}", ex) { File = source.Path };
        }

        Stream stream = source.Path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new CheckedGzipStream(file) : file;

        var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        try
        {
            string? header;
            try
            {
                header = reader.ReadLine();
            }
            catch (InvalidDataException ex)
            {
                throw new CsvFormatException($"Market data file '{source.Path}' is not valid gzip: {ex.Message}", ex) { File = source.Path };
            }

            var expected = CsvHeaders.For(source.Kind);
            if (!string.Equals(header?.Trim(), expected, StringComparison.Ordinal))
            {
                throw new CsvFormatException(
                    $"Market data file '{source.Path}' has header '{header ?? "<empty file>"}' but {source.Kind} needs '{expected}'.")
                {
                    File = source.Path,
                };
            }

            return new CsvFileReader(source, reader, onError, from, to);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Reads the next usable event, reporting bad rows on the way; false at the end of the file.</summary>
    public bool TryReadNext(out MarketDataEvent? marketEvent) =>
        _source.Kind == CsvFileKind.DailyBars ? TryReadNextDaily(out marketEvent) : TryReadNextRow(out marketEvent);

    /// <summary>
    /// A daily file holds every date, so no file date bounds its rows: a typo (2031 or 2011 for 2021) is caught as a row
    /// dated well after both its neighbours or well before both, which rows in date order (either way round) never are,
    /// or, for the first and last row, a year or more from its one neighbour. That needs the next rows read first.
    /// </summary>
    private bool TryReadNextDaily(out MarketDataEvent? marketEvent)
    {
        while (Ahead(0) is { } row)
        {
            _ahead.RemoveAt(0);
            var start = Start(row);
            DateTimeOffset? nextStart = Ahead(0) is { } after ? Start(after) : null;
            if (FarOutOfPlace(start, nextStart) is { } farOut)
            {
                BadRows++;
                _onError(new CsvRowError(
                    _source.Path,
                    row.Line,
                    MalformedReason.FarOutOfOrder,
                    $"date {DateOnly.FromDateTime(start.UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} {farOut}"));
                continue;
            }

            _lastDailyStart = start;

            // The date range bounds what goes out, not what a row is judged by: a typo whose neighbours fell outside the range
            // was judged by rows further off, or by none, and went out as data.
            var date = DateOnly.FromDateTime(start.UtcDateTime);
            if ((_from is { } from && date < from) || (_to is { } to && date > to))
            {
                continue;
            }

            marketEvent = row.Event;
            return true;
        }

        _aheadFailure?.Throw();
        marketEvent = null;
        return false;
    }

    /// <summary>Why a daily row dated <paramref name="start"/> is a typo rather than data, or null when it is data.</summary>
    private string? FarOutOfPlace(DateTimeOffset start, DateTimeOffset? nextStart)
    {
        // A row next to a typo is far from that neighbour too. When the row after this one is far from both its own
        // neighbours the same way (this row and the one after it) and this row is nearer to the one after it than it is, that
        // row is the one out of place: it is judged next, and this row is not judged by it.
        var followingOutOfPlace = nextStart is { } next && Ahead(1) is { } third
            && IsFarFromBoth(next, start, Start(third))
            && (start - Start(third)).Duration() < (next - Start(third)).Duration();

        // The first and the last row have one neighbour each, and a typo there (2031 or 2011 for 2021) went out: the catalog
        // then gave the typo's date as the file's end or start, and a paced replay waited years between it and the rest (it
        // counts from the first row). One neighbour is weaker evidence than two (a file may start or end after a gap of
        // weeks), so an end row must be a year from it: a year digit typed wrong moves a date at least that far. In a file of
        // two rows either could be the typo: the first is judged as early only when a third row follows, so there the
        // later-dated of the two is the one taken out, as before the rule went both ways.
        return (_lastDailyStart, nextStart) switch
        {
            (_, { }) when followingOutOfPlace => null,
            ({ } before, { } after) when start - before > FarFromNeighbours && start - after > FarFromNeighbours =>
                $"is more than {FarFromNeighbours.TotalDays} days after both the row before it and the row after it",
            ({ } before, { } after) when before - start > FarFromNeighbours && after - start > FarFromNeighbours =>
                $"is more than {FarFromNeighbours.TotalDays} days before both the row before it and the row after it",
            (null, { } after) when start - after >= FarFromOnlyNeighbour =>
                $"(the file's first row) is {FarFromOnlyNeighbour.TotalDays} days or more after the row after it",
            (null, { } after) when after - start >= FarFromOnlyNeighbour && Ahead(1) is not null =>
                $"(the file's first row) is {FarFromOnlyNeighbour.TotalDays} days or more before the row after it",
            ({ } before, null) when start - before >= FarFromOnlyNeighbour =>
                $"(the file's last row) is {FarFromOnlyNeighbour.TotalDays} days or more after the row before it",
            ({ } before, null) when before - start >= FarFromOnlyNeighbour =>
                $"(the file's last row) is {FarFromOnlyNeighbour.TotalDays} days or more before the row before it",
            _ => null,
        };
    }

    private static bool IsFarFromBoth(DateTimeOffset date, DateTimeOffset one, DateTimeOffset other) =>
        (date - one > FarFromNeighbours && date - other > FarFromNeighbours) || (one - date > FarFromNeighbours && other - date > FarFromNeighbours);

    private static DateTimeOffset Start((MarketDataEvent Event, long Line) row) => ((BarEvent)row.Event).Bar.Start;

    /// <summary>The usable row <paramref name="index"/> places ahead of the one being judged, read when first asked for.</summary>
    private (MarketDataEvent Event, long Line)? Ahead(int index)
    {
        while (_ahead.Count <= index && ReadAhead() is { } row)
        {
            _ahead.Add(row);
        }

        return _ahead.Count > index ? _ahead[index] : null;
    }

    /// <summary>The next usable row of a daily file, or null at its end; a file that breaks there breaks after the row before.</summary>
    private (MarketDataEvent Event, long Line)? ReadAhead()
    {
        if (_aheadFailure is not null)
        {
            return null;
        }

        try
        {
            return TryReadNextRow(out var marketEvent) ? (marketEvent!, _line) : null;
        }
        catch (CsvFormatException ex)
        {
            // Every row before the break still goes out, as for the other kinds.
            _aheadFailure = ExceptionDispatchInfo.Capture(ex);
            return null;
        }
    }

    private bool TryReadNextRow(out MarketDataEvent? marketEvent)
    {
        string? line;
        while ((line = ReadLine()) is not null)
        {
            _line++;

            // A blank line (a file ending in two line breaks, files joined with one between them) holds no row: reported as
            // a bad row, it warned of data lost where there was none, and a backtest said rows had been skipped.
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            RowsRead++;
            if (TryParse(line, out marketEvent))
            {
                return true;
            }

            BadRows++;
        }

        marketEvent = null;
        return false;
    }

    public void Dispose() => _reader.Dispose();

    private string? ReadLine()
    {
        try
        {
            return _reader.ReadLine();
        }
        catch (InvalidDataException ex)
        {
            throw new CsvFormatException($"Market data file '{_source.Path}' is corrupt after line {_line}: {ex.Message}", ex)
            {
                File = _source.Path,
            };
        }
    }

    private bool TryParse(string line, out MarketDataEvent? marketEvent)
    {
        marketEvent = null;
        var text = line.AsSpan();
        Span<Range> ranges = stackalloc Range[_columns + 1];
        var count = text.Split(ranges, ',');
        if (count != _columns)
        {
            return Fail(MalformedReason.ColumnCount, $"expected {_columns} columns, found {count}");
        }

        var f = new Fields(text, ranges);
        return _source.Kind switch
        {
            CsvFileKind.MinuteTradeBars => ParseMinuteTradeBar(f, out marketEvent),
            CsvFileKind.MinuteQuoteBars => ParseMinuteQuoteBar(f, out marketEvent),
            CsvFileKind.TradeTicks => ParseTradeTick(f, out marketEvent),
            CsvFileKind.QuoteTicks => ParseQuoteTick(f, out marketEvent),
            CsvFileKind.DailyBars => ParseDailyBar(f, out marketEvent),
            _ => Fail(MalformedReason.ColumnCount, "unknown kind"),
        };
    }

    private bool ParseMinuteTradeBar(Fields f, out MarketDataEvent? marketEvent)
    {
        marketEvent = null;
        if (!Time(f[0], out var time) ||
            !Number(f[1], "open", out var open) || !Number(f[2], "high", out var high) ||
            !Number(f[3], "low", out var low) || !Number(f[4], "close", out var close) ||
            !Number(f[5], "volume", out var volume))
        {
            return false;
        }

        marketEvent = new BarEvent(new Bar(_source.Symbol, time, OneMinute, open, high, low, close, volume));
        return true;
    }

    private bool ParseMinuteQuoteBar(Fields f, out MarketDataEvent? marketEvent)
    {
        marketEvent = null;
        if (!Time(f[0], out var time))
        {
            return false;
        }

        for (var i = 1; i < 11; i++)
        {
            if (i is 4 or 5 or 9 or 10)
            {
                continue;
            }

            if (!Number(f[i], "quote bar field", out _))
            {
                return false;
            }
        }

        if (!Number(f[4], "bid_close", out var bid) || !Number(f[5], "bid_size", out var bidSize) ||
            !Number(f[9], "ask_close", out var ask) || !Number(f[10], "ask_size", out var askSize))
        {
            return false;
        }

        // A quote bar's closing quote is only known when the minute ends.
        marketEvent = new QuoteEvent(new QuoteTick(_source.Symbol, time + OneMinute, bid, bidSize, ask, askSize), _line);
        return true;
    }

    private bool ParseTradeTick(Fields f, out MarketDataEvent? marketEvent)
    {
        marketEvent = null;
        if (!Time(f[0], out var time) || !Number(f[1], "price", out var price) || !Number(f[2], "size", out var size) ||
            !Flag(f[5], out var suspicious))
        {
            return false;
        }

        var trade = new TradeTick(_source.Symbol, time, price, size, Text(f[3]), Text(f[4]), suspicious);

        // Exchange data holds genuinely identical prints in the same millisecond, so the row is the print's identity.
        marketEvent = new TradeEvent(trade, _line);
        return true;
    }

    private bool ParseQuoteTick(Fields f, out MarketDataEvent? marketEvent)
    {
        marketEvent = null;
        if (!Time(f[0], out var time) || !Number(f[1], "bid", out var bid) || !Number(f[2], "bid_size", out var bidSize) ||
            !Number(f[3], "ask", out var ask) || !Number(f[4], "ask_size", out var askSize) || !Flag(f[7], out var suspicious))
        {
            return false;
        }

        var quote = new QuoteTick(_source.Symbol, time, bid, bidSize, ask, askSize, Text(f[5]), Text(f[6]), suspicious);
        marketEvent = new QuoteEvent(quote, _line);
        return true;
    }

    private bool ParseDailyBar(Fields f, out MarketDataEvent? marketEvent)
    {
        marketEvent = null;
        if (!IsoTimestamp.TryParseDate(f[0], out var date))
        {
            return Fail(MalformedReason.Timestamp, $"invalid date '{f[0]}'");
        }

        if (!Number(f[1], "open", out var open) || !Number(f[2], "high", out var high) ||
            !Number(f[3], "low", out var low) || !Number(f[4], "close", out var close) ||
            !Number(f[5], "volume", out var volume))
        {
            return false;
        }

        // A daily bar is keyed by its trading date: it starts at 00:00 UTC of that date.
        var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        marketEvent = new BarEvent(new Bar(_source.Symbol, start, OneDay, open, high, low, close, volume));
        return true;
    }

    private bool Time(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        if (!IsoTimestamp.TryParse(text, out value))
        {
            return Fail(MalformedReason.Timestamp, $"invalid timestamp '{text}'");
        }

        // A typo in a one-day file (2031 for 2013) went out as data: a paced replay then waited years for it, without a word,
        // and the rows after it were out of order. Off the file's date in every time zone, the row is a bad row.
        if (_dayStart is { } dayStart && (value < dayStart - BeforeUtcDay || value >= dayStart + OneDay + AfterUtcDay))
        {
            return Fail(
                MalformedReason.OutsideFileDate,
                $"time '{text}' is not on the file's date {DateOnly.FromDateTime(dayStart.UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        }

        return true;
    }

    private bool Number(ReadOnlySpan<char> text, string column, out decimal value) =>
        decimal.TryParse(text, DecimalStyle, CultureInfo.InvariantCulture, out value) ||
        Fail(MalformedReason.Number, $"invalid {column} '{text}'");

    private bool Flag(ReadOnlySpan<char> text, out bool value)
    {
        value = text is "1";
        return text is "0" or "1" || Fail(MalformedReason.Flag, $"invalid suspicious flag '{text}'");
    }

    private static string? Text(ReadOnlySpan<char> text) => text.IsEmpty ? null : text.ToString();

    private bool Fail(MalformedReason reason, string detail)
    {
        _onError(new CsvRowError(_source.Path, _line, reason, detail));
        return false;
    }

    /// <summary>
    /// GZipStream ends quietly where a compressed file is cut short (an interrupted copy or download), so a replay would
    /// complete without the rest of the file. At the end the bytes decompressed are checked against the size the gzip
    /// trailer records; when they differ, the file may be several members (gzip files joined with cat), which GZipStream
    /// reads one after the other, so its members are walked to tell a whole file from a cut one.
    /// </summary>
    private sealed class CheckedGzipStream(FileStream file) : Stream
    {
        private readonly GZipStream _inner = new(file, CompressionMode.Decompress);
        private long _length;
        private bool _ended;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = _inner.Read(buffer);
            _length += read;
            if (read == 0 && buffer.Length > 0 && !_ended)
            {
                _ended = true;
                CheckTrailer();
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private void CheckTrailer()
        {
            // The last four bytes of a gzip file are the uncompressed size modulo 2^32; 18 bytes is the smallest gzip file.
            Span<byte> size = stackalloc byte[4];
            var fileLength = RandomAccess.GetLength(file.SafeFileHandle);
            if (fileLength < 18 || RandomAccess.Read(file.SafeFileHandle, size, fileLength - 4) != 4)
            {
                throw new InvalidDataException("the gzip data ends early (a truncated file).");
            }

            // A file of several members is whole, but its last trailer counts only the last member: it was refused as
            // "truncated" (and then as unreadable) after every row had gone out, and the replay stopped there.
            var recorded = BinaryPrimitives.ReadUInt32LittleEndian(size);
            if (recorded != (uint)_length)
            {
                GzipMembers.Verify(file.SafeFileHandle, _length);
            }
        }
    }

    private readonly ref struct Fields(ReadOnlySpan<char> text, ReadOnlySpan<Range> ranges)
    {
        private readonly ReadOnlySpan<char> _text = text;
        private readonly ReadOnlySpan<Range> _ranges = ranges;

        public ReadOnlySpan<char> this[int index] => _text[_ranges[index]];
    }
}
