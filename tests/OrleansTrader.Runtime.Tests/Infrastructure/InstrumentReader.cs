using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Runtime.Tests;

/// <summary>
/// Listens to one instrument of one silo (its meter factory, so parallel tests do not mix): counters are summed per tag
/// set, observable instruments are read on demand.
/// </summary>
public sealed class InstrumentReader : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new(StringComparer.Ordinal);
    private readonly Lock _observeLock = new();
    private Dictionary<string, long>? _observed;

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
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
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
            }
        });
        _listener.Start();
    }

    /// <summary>The sum of a counter's increments with exactly these tags ("k=v,k=v" sorted by key; "" for none).</summary>
    public long Sum(string tags) => _sums.GetValueOrDefault(tags);

    /// <summary>Reads the observable instrument now: its value per tag set.</summary>
    public IReadOnlyDictionary<string, long> Observe()
    {
        lock (_observeLock)
        {
            _observed = new Dictionary<string, long>(StringComparer.Ordinal);
            _listener.RecordObservableInstruments();
            var observed = _observed;
            _observed = null;
            return observed;
        }
    }

    public void Dispose() => _listener.Dispose();

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
