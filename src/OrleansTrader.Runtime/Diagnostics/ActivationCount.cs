namespace OrleansTrader.Runtime;

/// <summary>
/// The number of activations of one grain class in a silo's catalog. Changed only when an activation enters or leaves the
/// catalog (never per call), read by the runtime's observable instrument.
/// </summary>
internal sealed class ActivationCount
{
    private long _value;

    public long Value => Volatile.Read(ref _value);

    public void Increment() => Interlocked.Increment(ref _value);

    public void Decrement() => Interlocked.Decrement(ref _value);
}
