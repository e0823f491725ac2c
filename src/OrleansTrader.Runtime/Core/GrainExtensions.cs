namespace OrleansTrader.Runtime;

/// <summary>Identity helpers for grains and grain references, as in Orleans.</summary>
public static class GrainExtensions
{
    public static GrainId GetGrainId(this IAddressable grain)
    {
        ArgumentNullException.ThrowIfNull(grain);
        return grain switch
        {
            Grain g => g.GrainId,
            GrainReference r => r.GrainId,
            _ => throw new ArgumentException($"{grain.GetType()} is neither a grain nor a grain reference.", nameof(grain)),
        };
    }

    /// <summary>The key as stored: the string key, or the canonical text of a Guid or integer key.</summary>
    public static string GetPrimaryKeyString(this IAddressable grain) => grain.GetGrainId().Key;

    /// <summary>The key of a grain addressed through <see cref="IGrainWithGuidKey"/>; any other grain throws (keys are never reinterpreted).</summary>
    public static Guid GetPrimaryKey(this IAddressable grain)
    {
        var grainId = RequireKind(grain, GrainKeyKind.Guid);
        return GrainKeys.ParseGuid(grainId);
    }

    /// <summary>The key of a grain addressed through <see cref="IGrainWithIntegerKey"/>; any other grain throws (keys are never reinterpreted).</summary>
    public static long GetPrimaryKeyLong(this IAddressable grain)
    {
        var grainId = RequireKind(grain, GrainKeyKind.Integer);
        return GrainKeys.ParseInteger(grainId);
    }

    private static GrainId RequireKind(IAddressable grain, GrainKeyKind expected)
    {
        ArgumentNullException.ThrowIfNull(grain);
        var (grainId, kind) = grain switch
        {
            Grain g => (g.GrainId, g.Activation.Class.KeyKind),
            GrainReference r => (r.GrainId, r.Runtime.Registry.GetClass(r.GrainId.Type).KeyKind),
            _ => throw new ArgumentException($"{grain.GetType()} is neither a grain nor a grain reference.", nameof(grain)),
        };
        return kind == expected
            ? grainId
            : throw new InvalidOperationException($"{grainId} has a {kind.ToString().ToLowerInvariant()} key, not a {expected.ToString().ToLowerInvariant()} key.");
    }
}
