using System.Globalization;

namespace OrleansTrader.Runtime;

/// <summary>
/// The canonical text of Guid and integer keys, and the key kind of a grain class. Every Guid or integer has exactly one
/// text form, so (grain type, key) identity holds and storage keys stay stable; reading a key back accepts only that
/// form, so a key is never reinterpreted.
/// </summary>
internal static class GrainKeys
{
    public static string Format(Guid key) => key.ToString("D", CultureInfo.InvariantCulture);

    public static string Format(long key) => key.ToString(CultureInfo.InvariantCulture);

    public static Guid ParseGuid(GrainId grainId) =>
        Guid.TryParseExact(grainId.Key, "D", out var key) && string.Equals(Format(key), grainId.Key, StringComparison.Ordinal)
            ? key
            : throw new InvalidOperationException($"The key of {grainId} is not a canonical Guid key.");

    public static long ParseInteger(GrainId grainId) =>
        long.TryParse(grainId.Key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var key)
        && string.Equals(Format(key), grainId.Key, StringComparison.Ordinal)
            ? key
            : throw new InvalidOperationException($"The key of {grainId} is not a canonical integer key.");

    /// <summary>The key kind of a grain class from its grain interfaces; one class has one kind (string when none says otherwise).</summary>
    public static GrainKeyKind KindOf(Type grainClass)
    {
        var kinds = new HashSet<GrainKeyKind>();
        foreach (var grainInterface in grainClass.GetInterfaces())
        {
            if (grainInterface == typeof(IGrainWithGuidKey))
            {
                kinds.Add(GrainKeyKind.Guid);
            }
            else if (grainInterface == typeof(IGrainWithIntegerKey))
            {
                kinds.Add(GrainKeyKind.Integer);
            }
            else if (grainInterface == typeof(IGrainWithStringKey))
            {
                kinds.Add(GrainKeyKind.String);
            }
        }

        return kinds.Count switch
        {
            0 => GrainKeyKind.String,
            1 => kinds.First(),
            _ => throw new InvalidOperationException(
                $"{grainClass} implements grain interfaces with different key kinds ({string.Join(", ", kinds.Order())}); a grain class has one kind of key."),
        };
    }
}
