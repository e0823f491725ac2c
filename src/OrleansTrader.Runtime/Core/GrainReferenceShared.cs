namespace OrleansTrader.Runtime;

/// <summary>What every proxy of one runtime shares; handed to generated proxy constructors.</summary>
public sealed class GrainReferenceShared
{
    private readonly GrainRuntime? _runtime;
    private readonly Func<GrainRuntime>? _currentRuntime;

    internal GrainReferenceShared(GrainRuntime runtime)
    {
        _runtime = runtime;
    }

    /// <summary>
    /// Proxies that send through whichever runtime <paramref name="currentRuntime"/> names at each call: the test cluster's,
    /// so a reference taken before a silo restart reaches the grain in the next silo, as an Orleans grain reference does.
    /// </summary>
    internal GrainReferenceShared(Func<GrainRuntime> currentRuntime)
    {
        _currentRuntime = currentRuntime;
    }

    internal GrainRuntime Runtime => _runtime ?? _currentRuntime!();
}
