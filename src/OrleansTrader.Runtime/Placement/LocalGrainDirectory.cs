using System.Collections.Concurrent;

namespace OrleansTrader.Runtime;

/// <summary>The single-silo directory: every grain lives here.</summary>
internal sealed class LocalGrainDirectory : IGrainDirectory
{
    private readonly ConcurrentDictionary<GrainId, GrainAddress> _entries = new();

    public ValueTask<GrainAddress?> LookupAsync(GrainId grainId) =>
        ValueTask.FromResult(_entries.TryGetValue(grainId, out var address) ? address : null);

    public ValueTask<GrainAddress> RegisterAsync(GrainAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return ValueTask.FromResult(_entries.GetOrAdd(address.GrainId, address));
    }

    public ValueTask UnregisterAsync(GrainAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        _entries.TryRemove(new KeyValuePair<GrainId, GrainAddress>(address.GrainId, address));
        return ValueTask.CompletedTask;
    }
}
