namespace OrleansTrader.Runtime.AdoNet;

internal static class GrainStateConflict
{
    public static InconsistentStateException Create(
        string operation, string stateName, GrainId grainId, long? storedVersion, string? currentETag, bool storedKnown = true)
    {
        var stored = storedVersion is { } version ? VersionETag.Format(version) : null;
        var holds = storedKnown ? $"storage holds '{stored ?? "none"}'" : "the stored version could not be read";
        return new InconsistentStateException(
            $"{operation} of state '{stateName}' for grain type '{grainId.Type.Value}' expected version " +
            $"'{currentETag ?? "none"}' but {holds}.",
            stored,
            currentETag);
    }
}
