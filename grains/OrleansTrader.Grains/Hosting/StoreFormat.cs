using System.Reflection;

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// The layout of what this build stores (grain records, the fills log's execution reports), recorded in the store at the
/// start so that an older build is refused on a store a newer one wrote: it would read a newer record without the members
/// it does not know (System.Text.Json skips them), write it back without them, and fail on an enum value it does not know.
/// </summary>
public static class StoreFormat
{
    /// <summary>
    /// Raise it with any change to a stored record that an older build would lose or misread: a new member, a new enum
    /// value, a member whose meaning changes. Reading older layouts stays this build's job (StoredJsonMissingMemberTests);
    /// the raise is what stops a rollback to a build that cannot read the new one.
    /// </summary>
    public const int Current = 3;

    /// <summary>This build as its assembly names it (version and commit), for the record and the refusal's message.</summary>
    public static string Build { get; } =
        typeof(StoreFormat).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(StoreFormat).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
