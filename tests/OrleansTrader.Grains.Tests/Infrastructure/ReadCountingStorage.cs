using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>
/// The default (memory) storage, counting the reads (round trips on a database) of records whose name starts with a
/// prefix: a single read counts one, and so does a bulk read of several records.
/// </summary>
internal sealed class ReadCountingStorage(string namePrefix) : IGrainStorage
{
    private IGrainStorage? _inner;
    private int _reads;
    private int _recordsRead;

    /// <summary>Read calls that asked for at least one counted record.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Counted records those calls asked for.</summary>
    public int RecordsRead => Volatile.Read(ref _recordsRead);

    public IGrainStorage Over(IServiceProvider services)
    {
        _inner ??= new MemoryGrainStorage(services.GetRequiredService<IGrainStateSerializer>());
        return this;
    }

    /// <summary>Counts the reads of <paramref name="inner"/> (a store built outside a silo).</summary>
    public IGrainStorage Over(IGrainStorage inner)
    {
        _inner ??= inner;
        return this;
    }

    public void Reset()
    {
        Volatile.Write(ref _reads, 0);
        Volatile.Write(ref _recordsRead, 0);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        Count([stateName]);
        return _inner!.ReadStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public Task<IReadOnlyList<GrainState<T>>> ReadRecordsAsync<T>(
        IReadOnlyList<string> stateNames, GrainId grainId, CancellationToken cancellationToken = default)
        where T : class, new()
    {
        Count(stateNames);
        return _inner!.ReadRecordsAsync<T>(stateNames, grainId, cancellationToken);
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.WriteStateAsync(stateName, grainId, grainState, cancellationToken);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.ClearStateAsync(stateName, grainId, grainState, cancellationToken);

    public Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.DeleteStateAsync(stateName, grainId, grainState, cancellationToken);

    private void Count(IReadOnlyList<string> stateNames)
    {
        var counted = stateNames.Count(name => name.StartsWith(namePrefix, StringComparison.Ordinal));
        if (counted > 0)
        {
            Interlocked.Increment(ref _reads);
            Interlocked.Add(ref _recordsRead, counted);
        }
    }
}
