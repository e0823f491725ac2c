using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Runtime.Testing;

/// <summary>
/// For tests of metrics: listens to one instrument of one silo (its meter factory, so parallel tests do not mix): counters are summed per tag
/// set, observable instruments are read on demand.
/// </summary>
public sealed class InstrumentReader : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _sums = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Lock _observeLock = new();
    private Dictionary<string, double>? _observed;

    public InstrumentReader(IServiceProvider services, string instrumentName)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == instrumentName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of a counter's increments with exactly these tags ("k=v,k=v" sorted by key; "" for none).</summary>
    public double Sum(string tags) => _sums.GetValueOrDefault(tags);

    /// <summary>How many measurements were recorded with exactly these tags (for a histogram: how many values).</summary>
    public long Count(string tags) => _counts.GetValueOrDefault(tags);

    /// <summary>The sum of a counter's increments (or a histogram's values) over every tag set.</summary>
    public double Total() => _sums.Values.Sum();

    /// <summary>Reads the observable instrument now: its value per tag set.</summary>
    public IReadOnlyDictionary<string, double> Observe()
    {
        lock (_observeLock)
        {
            _observed = new Dictionary<string, double>(StringComparer.Ordinal);
            _listener.RecordObservableInstruments();
            var observed = _observed;
            _observed = null;
            return observed;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = Key(tags);
        if (instrument.IsObservable)
        {
            if (_observed is { } observed)
            {
                observed[key] = observed.GetValueOrDefault(key) + value;
            }
        }
        else
        {
            _sums.AddOrUpdate(key, value, (_, sum) => sum + value);
            _counts.AddOrUpdate(key, 1, (_, count) => count + 1);
        }
    }

    private static string Key(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add($"{tag.Key}={tag.Value}");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }
}
