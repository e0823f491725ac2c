namespace OrleansTrader.Runtime;

/// <summary>The silo's own client: grain references for code inside and outside grains.</summary>
internal sealed class ClusterClient(GrainRuntime runtime) : IClusterClient
{
    public IServiceProvider ServiceProvider => runtime.Services;

    internal GrainRuntime Runtime => runtime;

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(primaryKey);
        var grainClass = runtime.Registry.GetClassForInterface(typeof(TGrainInterface));
        return ProxyFactoryCache<TGrainInterface>.Create(runtime.Shared, new GrainId(grainClass.GrainType, primaryKey));
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey)
        where TGrainInterface : IGrainWithGuidKey
    {
        var grainClass = runtime.Registry.GetClassForInterface(typeof(TGrainInterface));
        return ProxyFactoryCache<TGrainInterface>.Create(runtime.Shared, new GrainId(grainClass.GrainType, GrainKeys.Format(primaryKey)));
    }

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
        where TGrainInterface : IGrainWithIntegerKey
    {
        var grainClass = runtime.Registry.GetClassForInterface(typeof(TGrainInterface));
        return ProxyFactoryCache<TGrainInterface>.Create(runtime.Shared, new GrainId(grainClass.GrainType, GrainKeys.Format(primaryKey)));
    }

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IGrain =>
        ProxyFactoryCache<TGrainInterface>.Create(runtime.Shared, grainId);
}
