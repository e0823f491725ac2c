namespace OrleansTrader.Runtime;

/// <summary>The silo's own client: grain references for code inside and outside grains.</summary>
internal sealed class ClusterClient : IClusterClient
{
    private readonly GrainReferenceShared _shared;

    public ClusterClient(GrainRuntime runtime)
        : this(runtime.Shared)
    {
    }

    /// <summary>A client of whichever runtime <paramref name="shared"/> names when used (the test cluster's: the silo deployed last).</summary>
    public ClusterClient(GrainReferenceShared shared)
    {
        _shared = shared;
    }

    public IServiceProvider ServiceProvider => Runtime.Services;

    internal GrainRuntime Runtime => _shared.Runtime;

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(primaryKey);
        var grainClass = Runtime.Registry.GetClassForInterface(typeof(TGrainInterface));
        return ProxyFactoryCache<TGrainInterface>.Create(_shared, new GrainId(grainClass.GrainType, primaryKey));
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey)
        where TGrainInterface : IGrainWithGuidKey
    {
        var grainClass = Runtime.Registry.GetClassForInterface(typeof(TGrainInterface));
        return ProxyFactoryCache<TGrainInterface>.Create(_shared, new GrainId(grainClass.GrainType, GrainKeys.Format(primaryKey)));
    }

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
        where TGrainInterface : IGrainWithIntegerKey
    {
        var grainClass = Runtime.Registry.GetClassForInterface(typeof(TGrainInterface));
        return ProxyFactoryCache<TGrainInterface>.Create(_shared, new GrainId(grainClass.GrainType, GrainKeys.Format(primaryKey)));
    }

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IGrain =>
        ProxyFactoryCache<TGrainInterface>.Create(_shared, grainId);
}
