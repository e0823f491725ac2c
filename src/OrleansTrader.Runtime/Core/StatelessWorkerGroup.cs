namespace OrleansTrader.Runtime;

/// <summary>
/// The activations of one stateless worker grain id. A call goes to the first idle activation, else to a new one while
/// there are fewer than the maximum, else it queues on the least loaded. Choosing and enqueueing happen under one lock,
/// so concurrent calls never pick the same idle activation and never create more than the maximum. The group retires
/// when its last activation is removed; the catalog then starts a new one. A worker is counted in its class's activations
/// when it joins the group and uncounted by whichever removal takes it out (a failed enqueue or its deactivation), once.
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

    /// <summary>Queues the message on a worker; false when the group has retired.</summary>
    public bool TryDeliver(Message message)
    {
        lock (_lock)
        {
            while (!_retired)
            {
                var target = Choose();
                if (target.TryEnqueue(message))
                {
                    return true;
                }

                // The worker is gone; its own removal may still be on its way.
                Forget(target);
            }

            return false;
        }
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

    private ActivationData Choose()
    {
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
            var created = new ActivationData(grainId, runtime);
            _workers.Add(created);
            created.Class.Activations.Increment();
            return created;
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
