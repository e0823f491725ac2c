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

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Instrument, MetricFamily> _byInstrument = new();
    private readonly IReadOnlyList<string> _prefixes;
    private readonly IMeterFactory _meterFactory;
    private readonly int _maxSeries;
    private readonly Lock _scrapeLock = new();

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
            _listener.RecordObservableInstruments();
            long dropped = 0;
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.Write(text);
                dropped += family.DroppedSeries;
            }

            text.Append("# HELP orleanstrader_metrics_series_dropped_total Measurements dropped because an instrument reached its series limit.\n")
                .Append("# TYPE orleanstrader_metrics_series_dropped_total counter\n")
                .Append("orleanstrader_metrics_series_dropped_total ").Append(dropped.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    internal static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
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

        var pairs = new List<(string Key, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add((Sanitize(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var builder = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

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

        var name = Sanitize(instrument.Name);
        var family = _families.GetOrAdd(name, _ => new MetricFamily(name, kind, instrument.Description, _maxSeries));
        if (family.Kind != kind)
        {
            return;
        }

        _byInstrument[instrument] = family;
        listener.EnableMeasurementEvents(instrument);
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_byInstrument.TryGetValue(instrument, out var family))
        {
            family.Record(Labels(tags), value);
        }
    }
}
