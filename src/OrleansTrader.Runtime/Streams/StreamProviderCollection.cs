using System.Diagnostics.Metrics;

namespace OrleansTrader.Runtime;

/// <summary>The silo's stream providers by name.</summary>
internal sealed class StreamProviderCollection
{
    private readonly Dictionary<string, IStreamProvider> _providers = new(StringComparer.Ordinal);

    public StreamProviderCollection(GrainRuntime runtime, IEnumerable<StreamProviderRegistration> registrations, Meter meter)
    {
        foreach (var registration in registrations)
        {
            IStreamProvider provider = registration.LogFactory is { } logFactory
                ? new DurableStreamProvider(runtime, registration.Name, registration.DurableOptions ?? new DurableStreamOptions(), logFactory(runtime.Services), meter)
                : new MemoryStreamProvider(runtime, registration.Name, registration.MemoryOptions ?? new MemoryStreamOptions(), meter);
            if (!_providers.TryAdd(registration.Name, provider))
            {
                throw new InvalidOperationException($"Two stream providers are named '{registration.Name}'.");
            }
        }
    }

    public IStreamProvider Get(string name) =>
        _providers.TryGetValue(name, out var provider)
            ? provider
            : throw new KeyNotFoundException($"No stream provider named '{name}'. Add it with silo.AddMemoryStreams(\"{name}\") or silo.AddDurableStreams(\"{name}\", ...).");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var provider in _providers.Values)
        {
            if (provider is DurableStreamProvider durable)
            {
                await durable.StartAsync(cancellationToken);
            }
        }
    }

    /// <summary>Stops every provider without waiting (a crash).</summary>
    public void Cancel()
    {
        foreach (var provider in _providers.Values)
        {
            switch (provider)
            {
                case DurableStreamProvider durable:
                    durable.Cancel();
                    break;
                case MemoryStreamProvider memory:
                    memory.Stop();
                    break;
            }
        }
    }

    /// <summary>
    /// The first step of a graceful stop: durable cursors stop delivering (<see cref="StopAsync"/> waits for them), and so
    /// do memory streams, whose waiting events are dropped and counted (not durable), so that no delivery activates a grain
    /// while the stop waits on a durable flush.
    /// </summary>
    public void CancelDelivery()
    {
        foreach (var provider in _providers.Values)
        {
            switch (provider)
            {
                case DurableStreamProvider durable:
                    durable.CancelDelivery();
                    break;
                case MemoryStreamProvider memory:
                    memory.StopDelivery();
                    break;
            }
        }
    }

    public async Task StopAsync()
    {
        foreach (var provider in _providers.Values)
        {
            switch (provider)
            {
                case DurableStreamProvider durable:
                    await durable.StopAsync();
                    break;
                case MemoryStreamProvider memory:
                    memory.Stop();
                    break;
            }
        }
    }
}
