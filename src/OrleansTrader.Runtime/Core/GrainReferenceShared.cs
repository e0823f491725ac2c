namespace OrleansTrader.Runtime;

/// <summary>What every proxy of one runtime shares; handed to generated proxy constructors.</summary>
public sealed class GrainReferenceShared
{
    internal GrainReferenceShared(GrainRuntime runtime)
    {
        Runtime = runtime;
    }

    internal GrainRuntime Runtime { get; }
}
