using System.Collections.Concurrent;

namespace OrleansTrader.Runtime;

/// <summary>The activations of this silo, by grain id. The local grain directory and message delivery in one.</summary>
internal sealed class Catalog(GrainRuntime runtime)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private volatile bool _stopping;

    public int Count => _activations.Count;

    public void Deliver(Message message)
    {
        if (_stopping)
        {
            message.Request.TryFail(new InvalidOperationException($"The silo is shutting down; {message.TargetId} cannot be activated."));
            return;
        }

        try
        {
            while (true)
            {
                var activation = GetOrCreate(message.TargetId);
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
        if (_activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation)))
        {
            activation.Class.Activations.Decrement();
        }
    }

    public bool TryGet(GrainId grainId, out ActivationData? activation) => _activations.TryGetValue(grainId, out activation);

    public ActivationData[] Snapshot() => _activations.Values.ToArray();

    public void StopAccepting() => _stopping = true;

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
                return created;
            }
        }
    }
}
