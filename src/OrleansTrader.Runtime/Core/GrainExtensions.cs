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

    public static string GetPrimaryKeyString(this IAddressable grain) => grain.GetGrainId().Key;
}
