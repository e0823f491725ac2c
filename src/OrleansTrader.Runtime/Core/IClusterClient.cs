namespace OrleansTrader.Runtime;

/// <summary>The entry point for code outside grains (controllers, hosted services, tests). Registered in DI by the silo.</summary>
public interface IClusterClient : IGrainFactory
{
    IServiceProvider ServiceProvider { get; }
}
