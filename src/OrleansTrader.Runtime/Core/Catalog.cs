using System.Collections.Concurrent;

namespace OrleansTrader.Runtime;

/// <summary>
/// The activations of this silo, by grain id. The local grain directory and message delivery in one: a single-activation
/// grain has one entry; a stateless worker id has a <see cref="StatelessWorkerGroup"/> instead, never a directory entry.
/// </summary>
internal sealed class Catalog(GrainRuntime runtime)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private readonly ConcurrentDictionary<GrainId, StatelessWorkerGroup> _workers = new();
    private volatile bool _stopping;

    public int Count
    {
        get
        {
            var count = _activations.Count;
            foreach (var group in _workers.Values)
            {
                count += group.Count;
            }

            return count;
        }
    }

    public void Deliver(Message message)
    {
        if (_stopping)
        {
            message.Request.TryFail(ShuttingDown(message.TargetId));
            return;
        }

        try
        {
            while (true)
            {
                if (!_activations.TryGetValue(message.TargetId, out var activation))
                {
                    if (runtime.Registry.GetClass(message.TargetId.Type).MaxLocalWorkers is { } maxWorkers)
                    {
                        DeliverToWorker(message, maxWorkers);
                        return;
                    }

                    activation = GetOrCreate(message.TargetId);
                }

                if (activation.TryEnqueue(message))
                {
                    return;
                }

                Remove(activation);
            }
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            message.Request.TryFail(ex);
        }
    }

    public void Remove(ActivationData activation)
    {
        if (activation.Class.MaxLocalWorkers is null)
        {
            if (_activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation)))
            {
                activation.Class.Activations.Decrement();
            }
        }
        else if (_workers.TryGetValue(activation.GrainId, out var group) && group.Remove(activation))
        {
            _workers.TryRemove(new KeyValuePair<GrainId, StatelessWorkerGroup>(activation.GrainId, group));
        }
    }

    /// <summary>The single activation of a grain id (stateless workers have none).</summary>
    public bool TryGet(GrainId grainId, out ActivationData? activation) => _activations.TryGetValue(grainId, out activation);

    public ActivationData[] Snapshot()
    {
        if (_workers.IsEmpty)
        {
            return _activations.Values.ToArray();
        }

        var all = new List<ActivationData>(_activations.Values);
        foreach (var group in _workers.Values)
        {
            all.AddRange(group.Snapshot());
        }

        return [.. all];
    }

    /// <summary>The current activations of a stateless worker id.</summary>
    public ActivationData[] GetWorkers(GrainId grainId) => _workers.TryGetValue(grainId, out var group) ? group.Snapshot() : [];

    /// <summary>
    /// Refuses new calls; an activation added after this is retired unstarted (by <see cref="GetOrCreate"/> or
    /// <see cref="StatelessWorkerGroup"/>, see <see cref="RefusesAddedActivation"/>), not left behind.
    /// </summary>
    public void StopAccepting()
    {
        _stopping = true;
        Interlocked.MemoryBarrier();
    }

    /// <summary>
    /// Whether an activation just added (to the catalog or a worker group) must be retired unstarted. A call that passed
    /// the stopping check just before <see cref="StopAccepting"/> may add its activation after the stop took its list to
    /// deactivate: nothing would ever deactivate it. With a full fence on both sides (here and in StopAccepting) it is
    /// either in that list or sees the flag here.
    /// </summary>
    public bool RefusesAddedActivation()
    {
        Interlocked.MemoryBarrier();
        return _stopping;
    }

    private void DeliverToWorker(Message message, int maxWorkers)
    {
        while (true)
        {
            var group = _workers.GetOrAdd(message.TargetId, static (id, state) => new StatelessWorkerGroup(id, state.Runtime, state.MaxWorkers), (Runtime: runtime, MaxWorkers: maxWorkers));
            if (group.TryDeliver(message))
            {
                return;
            }

            // The group emptied and retired meanwhile; a fresh one takes its place.
            _workers.TryRemove(new KeyValuePair<GrainId, StatelessWorkerGroup>(message.TargetId, group));
        }
    }

    /// <summary>The activation for the grain, created when there is none; only an activation that enters the catalog is counted.</summary>
    private ActivationData GetOrCreate(GrainId grainId)
    {
        while (true)
        {
            if (_activations.TryGetValue(grainId, out var existing))
            {
                return existing;
            }

            var created = new ActivationData(grainId, runtime);
            if (_activations.TryAdd(grainId, created))
            {
                created.Class.Activations.Increment();

                if (RefusesAddedActivation())
                {
                    created.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The silo is shutting down."));
                    throw ShuttingDown(grainId);
                }

                return created;
            }
        }
    }

    public static InvalidOperationException ShuttingDown(GrainId grainId) =>
        new($"The silo is shutting down; {grainId} cannot be activated.");
}
