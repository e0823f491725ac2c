namespace OrleansTrader.Runtime.AdoNet;

internal static class GrainStateConflict
{
    public static InconsistentStateException Create(
        string operation, string stateName, GrainId grainId, long? storedVersion, string? currentETag)
    {
        var stored = storedVersion is { } version ? VersionETag.Format(version) : null;
        return new InconsistentStateException(
            $"{operation} of state '{stateName}' for grain type '{grainId.Type.Value}' expected version " +
            $"'{currentETag ?? "none"}' but storage holds '{stored ?? "none"}'.",
            stored,
            currentETag);
    }
}
