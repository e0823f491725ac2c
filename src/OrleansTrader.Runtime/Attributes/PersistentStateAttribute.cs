namespace OrleansTrader.Runtime;

/// <summary>
/// On a grain constructor parameter of type <see cref="IPersistentState{TState}"/>: the state name and the storage provider
/// (the keyed <see cref="IGrainStorage"/>) it lives in. The runtime reads the state before OnActivateAsync.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false, AllowMultiple = false)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    public string StateName { get; } = stateName;

    public string StorageName { get; } = storageName ?? GrainStorageNames.Default;
}
