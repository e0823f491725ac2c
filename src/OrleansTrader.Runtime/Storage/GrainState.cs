namespace OrleansTrader.Runtime;

/// <summary>A plain holder for <see cref="IGrainState{T}"/>.</summary>
public sealed class GrainState<T>(T state) : IGrainState<T>
{
    public T State { get; set; } = state;

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }
}
