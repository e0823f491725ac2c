namespace OrleansTrader.Runtime;

/// <summary>Chooses the silo for a new activation among the active silos.</summary>
public interface IPlacementStrategy
{
    SiloAddress PickSilo(GrainId grainId, IReadOnlyList<SiloAddress> activeSilos);
}
