namespace OrleansTrader.Runtime;

/// <summary>
/// The activations of one stateless worker grain id. A call goes to the first idle activation, else to a new one while
/// there are fewer than the maximum, else it queues on the least loaded. Choosing and enqueueing happen under one lock,
/// so concurrent calls never pick the same idle activation and never create more than the maximum. The group retires
/// when its last activation is removed; the catalog then starts a new one. A worker is counted in its class's activations
/// when it joins the group and uncounted by whichever removal takes it out (a failed enqueue, a refusal while the silo
/// stops, or its deactivation), once.
/// </summary>
internal sealed class StatelessWorkerGroup(GrainId grainId, GrainRuntime runtime, int maxWorkers)
{
    private readonly Lock _lock = new();
    private readonly List<ActivationData> _workers = [];
    private bool _retired;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>
    /// Queues the message on a worker; false when the group has retired. Throws when the silo stopped accepting calls as
    /// a new worker was added for it (see <see cref="Catalog.RefusesAddedActivation"/>): that worker is retired unstarted.
    /// </summary>
    public bool TryDeliver(Message message)
    {
        ActivationData refused;
        lock (_lock)
        {
            while (true)
            {
                if (_retired)
                {
                    return false;
                }

                var target = Choose(out var created);
                if (created && runtime.Catalog.RefusesAddedActivation())
                {
                    // Out of the group before the lock is released, so no other call picks it (and starts it).
                    Forget(target);
                    refused = target;
                    break;
                }

                if (target.TryEnqueue(message))
                {
                    return true;
                }

                // The worker is gone; its own removal may still be on its way.
                Forget(target);
            }
        }

        // Outside the lock, like every retirement: it calls back into the catalog, which takes this lock to remove it.
        refused.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The silo is shutting down."));
        throw Catalog.ShuttingDown(grainId);
    }

    /// <summary>Removes a worker that deactivated; true when the group is now empty and has retired.</summary>
    public bool Remove(ActivationData worker)
    {
        lock (_lock)
        {
            Forget(worker);
            if (_workers.Count == 0)
            {
                _retired = true;
            }

            return _retired;
        }
    }

    public ActivationData[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _workers];
        }
    }

    private ActivationData Choose(out bool created)
    {
        created = false;
        ActivationData? leastLoaded = null;
        var leastLoad = int.MaxValue;
        foreach (var worker in _workers)
        {
            var load = worker.WorkerLoad;
            if (load == 0)
            {
                return worker;
            }

            if (leastLoaded is null || load < leastLoad)
            {
                leastLoaded = worker;
                leastLoad = load;
            }
        }

        if (_workers.Count < maxWorkers)
        {
            var worker = new ActivationData(grainId, runtime);
            _workers.Add(worker);
            worker.Class.Activations.Increment();
            created = true;
            return worker;
        }

        return leastLoaded!;
    }

    private void Forget(ActivationData worker)
    {
        if (_workers.Remove(worker))
        {
            worker.Class.Activations.Decrement();
        }
    }
}
