namespace OrleansTrader.Runtime;

/// <summary>Well-known storage provider names.</summary>
public static class GrainStorageNames
{
    /// <summary>The provider used when [PersistentState] names none.</summary>
    public const string Default = "default";
}
