using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// The keys of a settings section that no setting takes. Binding ignores them, so a misspelt key (Storage:Kind for
/// Storage:Provider, Gateway:RateLimit:Orders for Gateway:RateLimits:OrdersPerWindow) ran the silo on the default without
/// a word. Nested settings of the project's own option classes are checked too; the entries of a list or a dictionary
/// (Feed:Symbols:0, an instrument's fields) are the binder's to judge.
/// </summary>
public static class UnknownSettings
{
    /// <summary>
    /// One message per key in <paramref name="section"/> that none of <paramref name="optionTypes"/> has, and one for a
    /// value given to the section itself.
    /// </summary>
    public static IReadOnlyList<string> Find(IConfiguration config, string section, params Type[] optionTypes)
    {
        ArgumentNullException.ThrowIfNull(config);
        var failures = new List<string>();
        var settings = config.GetSection(section);
        if (IsValueOnRootSection(settings))
        {
            failures.Add(ValueOnSection(section, SettingNames(optionTypes)));
        }

        Check(settings, section, optionTypes, failures);
        return failures;
    }

    /// <summary>
    /// One message per key in <paramref name="section"/> that is not one of <paramref name="keys"/>, and one for a value
    /// given to the section itself.
    /// </summary>
    public static IReadOnlyList<string> FindOtherThan(IConfiguration config, string section, params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(config);
        var settings = config.GetSection(section);
        var failures = new List<string>();
        if (IsValueOnRootSection(settings))
        {
            failures.Add(ValueOnSection(section, keys));
        }

        failures.AddRange(settings.GetChildren()
            .Where(child => !keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            .Select(child => $"{section}:{child.Key} is not a setting ({section} has {string.Join(", ", keys)})."));
        return failures;
    }

    /// <summary>
    /// A value given to the section itself (Storage=postgres for Storage__Provider=postgres, Demo=false for
    /// Demo__Enabled=false) binds nothing, so the silo ran on the defaults. The value is not repeated: it may be a secret.
    /// </summary>
    private static string ValueOnSection(string section, IEnumerable<string> keys) =>
        $"{section} is a section, not a setting: give its settings ({string.Join(", ", keys.Select(key => $"{section}:{key}"))}) instead.";

    /// <summary>
    /// A value on a top-level section such as Storage. A section's empty value is no mistake (some configuration sources
    /// copy every section's path with one).
    /// </summary>
    private static bool IsValueOnRootSection(IConfigurationSection section) =>
        !section.Path.Contains(ConfigurationPath.KeyDelimiter, StringComparison.Ordinal) && !string.IsNullOrEmpty(section.Value);

    private static List<string> SettingNames(Type[] optionTypes) =>
        [.. optionTypes
            .SelectMany(type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Where(property => property.GetIndexParameters().Length == 0)
            .Select(property => property.Name)
            .Distinct(StringComparer.Ordinal)];

    /// <summary>Stops the start with every message of <paramref name="failures"/>, if there is one.</summary>
    public static void ThrowIfAny(IReadOnlyList<string> failures)
    {
        if (failures.Count > 0)
        {
            throw new OptionsValidationException("settings", typeof(UnknownSettings), failures);
        }
    }

    private static void Check(IConfigurationSection section, string path, Type[] optionTypes, List<string> failures)
    {
        var settings = optionTypes
            .SelectMany(type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Where(property => property.GetIndexParameters().Length == 0)
            .ToList();
        var names = settings.Select(property => property.Name).Distinct(StringComparer.Ordinal).ToList();
        foreach (var child in section.GetChildren())
        {
            var matching = settings.Where(property => string.Equals(property.Name, child.Key, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matching.Count == 0)
            {
                failures.Add($"{path}:{child.Key} is not a setting ({path} has {string.Join(", ", names)}).");
                continue;
            }

            if (matching.Any(property => IsTimeSpan(property.PropertyType)) && ReadsAsWholeDays(child.Value, out var days))
            {
                failures.Add($"{path}:{child.Key}={days} reads as {days} days: write {AsSeconds(days)} for {days} seconds, or {days}.00:00:00 if days are meant.");
            }

            var nested = matching.Select(property => property.PropertyType).Where(IsOwnOptions).ToArray();
            if (nested.Length > 0)
            {
                Check(child, $"{path}:{child.Key}", nested, failures);
            }
        }
    }

    private static bool IsTimeSpan(Type type) => (Nullable.GetUnderlyingType(type) ?? type) == typeof(TimeSpan);

    /// <summary>
    /// A time span written as a bare whole number, which the binder reads as days: Storage__StartupTimeout=30, meant as
    /// seconds, waited 30 days for the database. Zero is the same in every unit, so it stays allowed.
    /// </summary>
    private static bool ReadsAsWholeDays(string? value, out long days)
    {
        days = 0;
        return value is not null && long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out days) && days != 0;
    }

    private static string AsSeconds(long seconds) =>
        seconds is > -int.MaxValue and < int.MaxValue ? TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture) : "hh:mm:ss";

    /// <summary>A class of the project's own with settings of its own, not a value, a list or a dictionary.</summary>
    private static bool IsOwnOptions(Type type) =>
        type.IsClass && type.Namespace?.StartsWith("OrleansTrader", StringComparison.Ordinal) == true
        && !typeof(IEnumerable).IsAssignableFrom(type);
}
