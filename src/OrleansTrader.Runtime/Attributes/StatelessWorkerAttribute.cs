namespace OrleansTrader.Runtime;

/// <summary>
/// On a grain class: one grain id may have several activations in the silo, at most <see cref="MaxLocalWorkers"/>. A call
/// goes to an idle activation, else to a new one while under the limit, else it queues on the least loaded one. Stateless
/// workers are never registered as the single activation of their id; each activation is collected when idle.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class StatelessWorkerAttribute : Attribute
{
    /// <summary>At most <see cref="Environment.ProcessorCount"/> activations per grain id.</summary>
    public StatelessWorkerAttribute()
        : this(Environment.ProcessorCount)
    {
    }

    /// <summary>At most <paramref name="maxLocalWorkers"/> activations per grain id (at least 1).</summary>
    public StatelessWorkerAttribute(int maxLocalWorkers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLocalWorkers, 1);
        MaxLocalWorkers = maxLocalWorkers;
    }

    public int MaxLocalWorkers { get; }
}
