using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

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

    /// <summary>
    /// The other way round: every key of the silo's sections that the docs or the Azure template name, as `Section:Key` or
    /// as an environment variable `Section__Key`, is one the start takes; a wrong one would stop the start that uses it.
    /// </summary>
    [Fact]
    public void EveryKeyTheDocsName_IsASetting()
    {
        var root = RepositoryFolder.Root;
        var sections = "Storage|Feed|Calendar|Demo|Streams|Trading|MarketData|PaperExchange|Backtests|Alpaca|Gateway|Silo|Kestrel";
        var keys = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Append(Path.Combine(root, "README.md"))
            .Concat(Directory.GetFiles(Path.Combine(root, "infra"), "*.bicep", SearchOption.AllDirectories))
            .SelectMany(file => Regex.Matches(File.ReadAllText(file), $@"(?<![\w:])(?:{sections})(?:(?::|__)[A-Za-z0-9]+)+", RegexOptions.CultureInvariant))
            .Select(match => match.Value.Replace("__", ":", StringComparison.Ordinal))
            .Except(DeliberateMisspellings, StringComparer.Ordinal)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(keys);

        // A number or a time span, whichever the setting takes: a time span written "1" reads as a day, which the check
        // refuses, and Kestrel's size limits refuse a span.
        var wrong = keys.Where(key => !new[] { "1", "00:00:01" }.Any(value =>
        {
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
            return Grains.Hosting.TradingHostExtensions.FindUnknownSettings(config).Count + SiloHostingExtensions.FindUnknownSettings(config).Count == 0;
        })).ToList();

        Assert.True(wrong.Count == 0, "Keys the docs name that are no setting:\n" + string.Join("\n", wrong));
    }

    /// <summary>The README's examples of a misspelt key that stops the start.</summary>
    private static readonly string[] DeliberateMisspellings = ["Storage:Kind", "Feed:Symbol", "Gateway:RateLimit"];

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
