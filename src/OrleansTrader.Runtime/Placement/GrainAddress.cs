namespace OrleansTrader.Runtime;

/// <summary>A grain directory entry: which silo hosts the grain's single activation.</summary>
public sealed record GrainAddress(GrainId GrainId, SiloAddress Silo);
