using System.Globalization;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>The integer version stored with each grain state row, as the ETag text the runtime sees.</summary>
internal static class VersionETag
{
    public static string Format(long version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>False for anything that is not a positive integer written by <see cref="Format"/>: such an ETag can never match.</summary>
    public static bool TryParse(string? eTag, out long version) =>
        long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;
}
