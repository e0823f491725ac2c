using System.Reflection;
using System.Text.RegularExpressions;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// "Every setting comes from appsettings.json, the environment or the command line" (README): a setting the silo binds
/// is one a user can only find in the docs. Each bound options class's settings, and those of the option classes it
/// holds (Gateway:RateLimits, PaperExchange:FillModel, ...), must be named in README.md or docs/*.md.
/// </summary>
public sealed class ConfigurationDocsTests
{
    [Fact]
    public void EveryBoundSetting_IsNamedInTheDocs()
    {
        var root = RepositoryFolder.Root;
        var docs = string.Join("\n", Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
            .Append(Path.Combine(root, "README.md"))
            .Select(File.ReadAllText));

        var undocumented = SiloSettingNames.BoundOptions.SelectMany(t => Settings(t, t.Name))
            .Where(s => !Regex.IsMatch(docs, $@"\b{s.Name}\b", RegexOptions.CultureInvariant))
            .Select(s => s.Path)
            .ToList();

        Assert.True(undocumented.Count == 0, "Settings no doc names:\n" + string.Join("\n", undocumented));
    }

    /// <summary>The public instance properties configuration binds, with those of nested option classes.</summary>
    private static IEnumerable<(string Name, string Path)> Settings(Type type, string path)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            yield return (property.Name, $"{path}.{property.Name}");
            if (property.PropertyType.IsClass && property.PropertyType.Name.EndsWith("Options", StringComparison.Ordinal)
                && property.PropertyType.Namespace?.StartsWith("OrleansTrader.", StringComparison.Ordinal) == true)
            {
                foreach (var nested in Settings(property.PropertyType, $"{path}.{property.Name}"))
                {
                    yield return nested;
                }
            }
        }
    }
}
