namespace OrleansTrader.Runtime;

/// <summary>What the runtime knows about one grain class, computed once at silo start.</summary>
internal sealed class GrainClassInfo
{
    public required Type ClassType { get; init; }

    public required GrainType GrainType { get; init; }

    public required bool IsReentrant { get; init; }

    /// <summary>From [CollectionAgeLimit]; null means SiloOptions.CollectionAge.</summary>
    public required TimeSpan? CollectionAge { get; init; }

    public required IReadOnlyList<string> ImplicitStreamNamespaces { get; init; }

    /// <summary>Creates the grain instance for an activation (constructor arguments from DI and [PersistentState]).</summary>
    public required Func<IServiceProvider, ActivationData, object> Factory { get; init; }

    /// <summary>This class's activations in the silo's catalog (for the activations metric).</summary>
    public ActivationCount Activations { get; } = new();
}
