using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Runtime;

/// <summary>
/// The silo's meter "OrleansTrader.Runtime" (from the host's <see cref="IMeterFactory"/> when it has one) and the runtime's
/// own instruments. The stream providers add theirs to the same meter.
/// </summary>
internal sealed class RuntimeMetrics : IDisposable
{
    public const string MeterName = "OrleansTrader.Runtime";

    private readonly (ActivationCount Count, KeyValuePair<string, object?>[] Tags)[] _classes;

    public RuntimeMetrics(IServiceProvider services, GrainTypeRegistry registry)
    {
        Meter = services.GetService<IMeterFactory>()?.Create(MeterName) ?? new Meter(MeterName);
        _classes = [.. registry.Classes.Select(c => (c.Activations, new[] { new KeyValuePair<string, object?>("grain_type", c.GrainType.Value) }))];
        Meter.CreateObservableUpDownCounter(
            "orleanstrader.runtime.activations",
            ObserveActivations,
            "{activation}",
            "Activations in this silo's catalog by grain type, from the moment a call creates one until it is deactivated, fails to activate or the silo is killed.");
    }

    public Meter Meter { get; }

    /// <summary>Disposes a meter this silo created itself; a factory's meters are disposed by the factory.</summary>
    public void Dispose() => Meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveActivations()
    {
        var measurements = new Measurement<long>[_classes.Length];
        for (var i = 0; i < _classes.Length; i++)
        {
            measurements[i] = new Measurement<long>(_classes[i].Count.Value, _classes[i].Tags);
        }

        return measurements;
    }
}
