namespace OrleansTrader.Runtime;

/// <summary>
/// On a grain class: the stable grain type name used in identities and storage keys. Without it the full class name is used,
/// so renaming or moving the class would orphan its stored state; production grains should set it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class GrainTypeAttribute(string grainType) : Attribute
{
    public string GrainType { get; } = grainType;
}
