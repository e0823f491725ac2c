using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>
/// A small Prometheus text exporter over System.Diagnostics.Metrics: a MeterListener aggregates the measurements of every
/// instrument whose meter name starts with a configured prefix (the runtime's, the grains', the brokers', the gateway's),
/// and <see cref="Scrape"/> renders them in the text exposition format 0.0.4. Only meters of this host's
/// <see cref="IMeterFactory"/> (or created without one) count: another host in the same process (tests run several) has
/// instruments of the same names that must not mix into this one's series.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private const string DroppedSeriesName = "orleanstrader_metrics_series_dropped_total";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Instrument, MetricFamily> _byInstrument = new();
    private readonly IReadOnlyList<string> _prefixes;
    private readonly IMeterFactory _meterFactory;
    private readonly int _maxSeries;
    private readonly Lock _scrapeLock = new();

    // Sample names taken by a family (guarded by _publishLock): a second family writing one would make the scrape invalid.
    private readonly HashSet<string> _sampleNames = new(StringComparer.Ordinal) { DroppedSeriesName };
    private readonly Lock _publishLock = new();

    public PrometheusExporter(IOptions<GatewayOptions> options, IMeterFactory meterFactory)
    {
        _meterFactory = meterFactory;
        _prefixes = [.. options.Value.Metrics.MeterPrefixes];
        _maxSeries = options.Value.Metrics.MaxSeriesPerInstrument;
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.MeasurementsCompleted = (instrument, _) => _byInstrument.TryRemove(instrument, out MetricFamily? _);
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<short>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<byte>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<float>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<decimal>((i, v, t, _) => Record(i, (double)v, t));
        _listener.Start();
    }

    public string Scrape()
    {
        var text = new StringBuilder();
        lock (_scrapeLock)
        {
            foreach (var family in _families.Values)
            {
                family.BeginObservation();
            }

            _listener.RecordObservableInstruments();
            long dropped = 0;
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.Write(text);
                dropped += family.DroppedSeries;
            }

            text.Append("# HELP " + DroppedSeriesName + " Measurements dropped because an instrument reached its series limit.\n")
                .Append("# TYPE " + DroppedSeriesName + " counter\n")
                .Append(DroppedSeriesName + " ").Append(dropped.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>A metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), or a label name when <paramref name="label"/> (no colons there).</summary>
    internal static string Sanitize(string name, bool label = false)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (c == ':' && !label) ? c : '_');
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    internal static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var pairs = new List<(string Key, int Index, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add((Sanitize(tag.Key, label: true), pairs.Count, Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key) is var byKey and not 0 ? byKey : a.Index.CompareTo(b.Index));
        var builder = new StringBuilder();
        string? previous = null;
        foreach (var (key, _, value) in pairs)
        {
            // A label name may appear once in a series: a tag repeated, or two that sanitize alike ("a.b", "a_b"), would
            // make the whole scrape unparsable. The first one given wins, so the series is the same at every measurement.
            if (key == previous)
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            previous = key;

            builder.Append(key).Append("=\"").Append(value.Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('"');
        }

        return builder.ToString();
    }

    private static MetricKind? KindOf(Instrument instrument)
    {
        if (!instrument.GetType().IsGenericType)
        {
            return null;
        }

        var definition = instrument.GetType().GetGenericTypeDefinition();
        return definition == typeof(Counter<>) ? MetricKind.Counter
            : definition == typeof(UpDownCounter<>) ? MetricKind.Sum
            : definition == typeof(Histogram<>) ? MetricKind.Histogram
            : definition == typeof(ObservableCounter<>) ? MetricKind.ObservedCounter
            : definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>) ? MetricKind.Gauge
            : null;
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_prefixes.Any(p => instrument.Meter.Name.StartsWith(p, StringComparison.Ordinal))
            || (instrument.Meter.Scope is not null && !ReferenceEquals(instrument.Meter.Scope, _meterFactory))
            || KindOf(instrument) is not { } kind)
        {
            return;
        }

        if (FamilyOf(instrument, kind) is not { } family)
        {
            return;
        }

        _byInstrument[instrument] = family;
        listener.EnableMeasurementEvents(instrument);
    }

    /// <summary>
    /// The family an instrument records into: instruments of one exported name and kind (say the same name on two meters)
    /// share it; an instrument whose family would clash with another's (a counter "x" and a gauge "x_total", a gauge
    /// "h_count" and a histogram "h") is not exported, since a name may appear in one family only.
    /// </summary>
    private MetricFamily? FamilyOf(Instrument instrument, MetricKind kind)
    {
        var name = MetricFamily.ExportedName(Sanitize(instrument.Name), kind, instrument.Unit);
        lock (_publishLock)
        {
            if (_families.TryGetValue(name, out var existing))
            {
                return existing.Kind == kind && existing.Observed == instrument.IsObservable ? existing : null;
            }

            var family = new MetricFamily(name, kind, instrument.Description, _maxSeries, instrument.IsObservable);
            if (family.SampleNames.Any(_sampleNames.Contains))
            {
                return null;
            }

            _sampleNames.UnionWith(family.SampleNames);
            _families[name] = family;
            return family;
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_byInstrument.TryGetValue(instrument, out var family))
        {
            family.Record(Labels(tags), value);
        }
    }
}
