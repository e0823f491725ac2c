namespace OrleansTrader.Runtime;

/// <summary>Places every activation on the local silo.</summary>
internal sealed class LocalPlacementStrategy(SiloAddress localSilo) : IPlacementStrategy
{
    public SiloAddress PickSilo(GrainId grainId, IReadOnlyList<SiloAddress> activeSilos) => localSilo;
}
