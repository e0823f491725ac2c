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

    /// <summary>
    /// The second step of a graceful stop, before the activations deactivate: the durable cursors end and their progress
    /// is flushed. Memory streams, whose delivery <see cref="CancelDelivery"/> stopped, still take events (dropped and
    /// counted), so a publish in a grain's last turns or its OnDeactivateAsync does not fail (a grain that notifies, then
    /// persists, would lose its write); <see cref="StopMemoryStreams"/> ends that after the activations.
    /// </summary>
    public async Task StopDurableStreamsAsync()
    {
        foreach (var provider in _providers.Values)
        {
            if (provider is DurableStreamProvider durable)
            {
                await durable.StopAsync();
            }
        }
    }

    /// <summary>The last step of a graceful stop, once the activations are done: memory streams refuse publishing.</summary>
    public void StopMemoryStreams()
    {
        foreach (var provider in _providers.Values)
        {
            if (provider is MemoryStreamProvider memory)
            {
                memory.Stop();
            }
        }
    }

    /// <summary>Both steps at once (a crash or a dispose, when no activation is left to deactivate first).</summary>
    public async Task StopAsync()
    {
        await StopDurableStreamsAsync();
        StopMemoryStreams();
    }
}
