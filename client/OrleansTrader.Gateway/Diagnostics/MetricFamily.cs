using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>
/// One exported metric: its series by label set, each a value or histogram buckets, bounded in number. A family of
/// observable instruments holds only what their callbacks reported at the last scrape, so a series they stop reporting
/// (a disposed SQLite file, a namespace without consumers) leaves instead of showing its last value for ever.
/// </summary>
internal sealed class MetricFamily(string name, MetricKind kind, string? description, int maxSeries, bool observed)
{
    internal static readonly double[] Buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public MetricKind Kind { get; } = kind;

    public bool Observed { get; } = observed;

    /// <summary>Every sample name the family writes: two families must not share one, or the scrape is invalid.</summary>
    public IEnumerable<string> SampleNames => Kind == MetricKind.Histogram
        ? [Name, Name + "_bucket", Name + "_sum", Name + "_count"]
        : [Name];

    private long _droppedSeries;

    public long DroppedSeries => Interlocked.Read(ref _droppedSeries);

    /// <summary>
    /// The exported name of an instrument's sanitized name: the base unit as a suffix (Prometheus naming: a duration in
    /// seconds ends in _seconds, a size in bytes in _bytes), and counters end in _total after it.
    /// </summary>
    public static string ExportedName(string name, MetricKind kind, string? unit = null)
    {
        var suffix = unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => null,
        };
        if (suffix is not null && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }

        return kind is MetricKind.Counter or MetricKind.ObservedCounter ? name + "_total" : name;
    }

    /// <summary>Forgets the series of an observable family before its callbacks report them again.</summary>
    public void BeginObservation()
    {
        if (Observed)
        {
            _series.Clear();
        }
    }

    public void Record(string labels, double value)
    {
        if (!_series.TryGetValue(labels, out var series))
        {
            if (_series.Count >= maxSeries)
            {
                Interlocked.Increment(ref _droppedSeries);
                return;
            }

            series = _series.GetOrAdd(labels, _ => new Series(Kind == MetricKind.Histogram));
        }

        series.Record(Kind, value);
    }

    public void Write(StringBuilder text)
    {
        if (_series.IsEmpty)
        {
            return;
        }

        var type = Kind switch
        {
            MetricKind.Counter or MetricKind.ObservedCounter => "counter",
            MetricKind.Histogram => "histogram",
            _ => "gauge",
        };
        if (!string.IsNullOrEmpty(description))
        {
            // The format escapes a backslash and a line feed in HELP text; any other backslash is an invalid escape.
            text.Append("# HELP ").Append(Name).Append(' ')
                .Append(description.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        }

        text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, series) in _series.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            series.Write(text, Name, labels, Kind);
        }
    }

    private sealed class Series(bool histogram)
    {
        private readonly Lock _lock = new();
        private readonly long[]? _buckets = histogram ? new long[Buckets.Length] : null;
        private double _value;
        private long _count;

        public void Record(MetricKind kind, double value)
        {
            lock (_lock)
            {
                switch (kind)
                {
                    case MetricKind.Counter or MetricKind.Sum:
                        _value += value;
                        break;
                    case MetricKind.Histogram:
                        _value += value;
                        _count++;
                        for (var i = 0; i < Buckets.Length; i++)
                        {
                            if (value <= Buckets[i])
                            {
                                _buckets![i]++;
                                break;
                            }
                        }

                        break;
                    default:
                        _value = value;
                        break;
                }
            }
        }

        public void Write(StringBuilder text, string name, string labels, MetricKind kind)
        {
            lock (_lock)
            {
                if (kind != MetricKind.Histogram)
                {
                    Line(text, name, labels, null, _value);
                    return;
                }

                long cumulative = 0;
                for (var i = 0; i < Buckets.Length; i++)
                {
                    cumulative += _buckets![i];
                    Line(text, name + "_bucket", labels, "le=\"" + Format(Buckets[i]) + "\"", cumulative);
                }

                Line(text, name + "_bucket", labels, "le=\"+Inf\"", _count);
                Line(text, name + "_sum", labels, null, _value);
                Line(text, name + "_count", labels, null, _count);
            }
        }

        private static void Line(StringBuilder text, string name, string labels, string? extra, double value)
        {
            text.Append(name);
            if (labels.Length > 0 || extra is not null)
            {
                text.Append('{').Append(labels);
                if (extra is not null)
                {
                    text.Append(labels.Length > 0 ? "," : string.Empty).Append(extra);
                }

                text.Append('}');
            }

            text.Append(' ').Append(Format(value)).Append('\n');
        }

        private static string Format(double value) =>
            double.IsPositiveInfinity(value) ? "+Inf"
            : double.IsNegativeInfinity(value) ? "-Inf"
            : double.IsNaN(value) ? "NaN"
            : value.ToString("R", CultureInfo.InvariantCulture);
    }
}
