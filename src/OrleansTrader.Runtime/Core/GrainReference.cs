namespace OrleansTrader.Runtime;

/// <summary>Base of generated proxies: a grain identity plus the runtime that delivers calls to it.</summary>
public abstract class GrainReference : IAddressable
{
    private readonly GrainReferenceShared _shared;

    protected GrainReference(GrainReferenceShared shared, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(shared);
        _shared = shared;
        GrainId = grainId;
    }

    public GrainId GrainId { get; }

    internal GrainRuntime Runtime => _shared.Runtime;

    /// <summary>Sends a request that returns a value.</summary>
    protected ValueTask<TResult> InvokeAsync<TResult>(GrainRequest<TResult> request)
    {
        Runtime.Send(GrainId, request);
        return request.AsValueTask();
    }

    /// <summary>Sends a request that returns nothing; one-way requests complete at once.</summary>
    protected ValueTask InvokeAsync(GrainVoidRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Runtime.Send(GrainId, request);
        return (request.Options & GrainRequestOptions.OneWay) != 0 ? default : request.AsValueTask();
    }

    public override string ToString() => GrainId.ToString();

    public override bool Equals(object? obj) => obj is GrainReference other && other.GrainId == GrainId;

    public override int GetHashCode() => GrainId.GetHashCode();
}
