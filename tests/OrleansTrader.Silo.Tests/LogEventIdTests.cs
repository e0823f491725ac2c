using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// Docs and log queries name a line by its event id ("event 5803"), so an id must mean one line in the whole silo. Two
/// classes once shared 1000-1002, 5701-5704 and 7001-7003: a query for the Alpaca circuit opening (5701) also matched
/// the startup line, and a test picking the startup line by its id would have matched the circuit warning.
/// </summary>
public sealed partial class LogEventIdTests
{
    /// <summary>The assemblies that log; the scan must reach each, or a collision in one it missed would pass.</summary>
    private static readonly string[] LoggingAssemblies =
    [
        "OrleansTrader.Runtime", "OrleansTrader.Runtime.AdoNet", "OrleansTrader.Brokers", "OrleansTrader.MarketData",
        "OrleansTrader.Grains", "OrleansTrader.Gateway", "OrleansTrader.Silo",
    ];

    [Fact]
    public void TheScan_ReachesEveryAssemblyThatLogs()
    {
        var scanned = Declarations().GroupBy(d => d.Assembly).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        var missing = LoggingAssemblies.Where(a => !scanned.ContainsKey(a)).ToList();
        Assert.True(missing.Count == 0, "No [LoggerMessage] declaration found in: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryLoggerMessage_HasAnExplicitPositiveEventId()
    {
        // LoggerMessageAttribute.EventId is -1 when left out; 0 is the "no id" of EventId. Either leaves the line
        // without an id an operator can alert on.
        var without = Declarations().Where(d => d.Id <= 0).Select(d => $"{d.Where} (EventId {d.Id})").Order(StringComparer.Ordinal).ToList();

        Assert.True(without.Count == 0, "[LoggerMessage] methods without an explicit event id:\n" + string.Join("\n", without));
    }

    [Fact]
    public void EveryLoggedEventId_IsDeclaredOnce_AcrossTheSilosAssemblies()
    {
        var declarations = Declarations();

        var shared = declarations.Where(d => d.Id > 0).GroupBy(d => d.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}:\n" + string.Join("\n", g.Select(d => $"  {d.Where} [{d.Level}] \"{d.Message}\"").Order(StringComparer.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(shared.Count == 0, "Event ids declared more than once:\n" + string.Join("\n", shared));
    }

    /// <summary>
    /// Operators alert on the ids the docs give ("warning 1058", "event 5803"): an id the docs name must be logged, at
    /// the level they say when they say one.
    /// </summary>
    [Fact]
    public void EveryEventIdTheDocsName_IsLogged_AtTheLevelTheyGive()
    {
        // A shared id is the other test's failure; here the first declaration of it stands for it.
        var logged = Declarations().Where(d => d.Id > 0).GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.First());
        var mentions = DocMentions().ToList();

        // Guards against a pattern that no longer finds the docs' mentions and so cannot fail.
        Assert.True(mentions.Count >= 20, $"found only {mentions.Count} event ids in the docs");

        var wrong = new List<string>();
        foreach (var (where, id, level) in mentions)
        {
            if (!logged.TryGetValue(id, out var declaration))
            {
                wrong.Add($"{where}: event {id} is not logged anywhere");
            }
            else if (level is not null && !string.Equals(level, declaration.Level.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                wrong.Add($"{where}: event {id} named as {level}, but {declaration.Where} logs it at {declaration.Level}: \"{declaration.Message}\"");
            }
        }

        Assert.True(wrong.Count == 0, "Event ids the docs get wrong:\n" + string.Join("\n", wrong));
    }

    /// <summary>
    /// A time in a log line renders with the current culture's format unless its placeholder gives one: the stream trim's
    /// line read "older than 12/06/2026 16:06:19 +00:00", month first and ambiguous beside the ISO times other lines print.
    /// </summary>
    [Fact]
    public void EveryTimeInALogLine_IsWrittenInTheRoundTripFormat()
    {
        var unformatted = new List<string>();
        foreach (var declaration in Declarations())
        {
            foreach (var parameter in declaration.Method.GetParameters())
            {
                var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
                if (type != typeof(DateTimeOffset) && type != typeof(DateTime))
                {
                    continue;
                }

                // The generator matches a placeholder to its parameter by name, ignoring case.
                var placeholder = Regex.Match(declaration.Message, "\\{" + Regex.Escape(parameter.Name!) + "(?<format>:[^}]*)?\\}", RegexOptions.IgnoreCase);
                if (placeholder.Success && placeholder.Groups["format"].Value != ":O")
                {
                    unformatted.Add($"{declaration.Where}: {{{parameter.Name}}} in \"{declaration.Message}\"");
                }
            }
        }

        Assert.True(unformatted.Count == 0, "Times logged without :O:\n" + string.Join("\n", unformatted.Order(StringComparer.Ordinal)));
    }

    /// <summary>
    /// The event ids named in docs/*.md and README.md: a four-digit number after "event", "event ids" (4100/4101) or a
    /// level, or before "at &lt;level&gt;"; with the level a mention gives just before it ("a logged warning, event 5807",
    /// "warning (1056)") or after it ("1055 at Debug").
    /// </summary>
    private static IEnumerable<(string Where, int Id, string? Level)> DocMentions()
    {
        var root = RepositoryFolder.Root;
        foreach (var file in Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Append(Path.Combine(root, "README.md")).Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                // The line before too: a mention may wrap ("a logged\n  warning (event 5802)").
                var text = (i > 0 ? lines[i - 1] + " " : "") + lines[i];
                var offset = i > 0 ? lines[i - 1].Length + 1 : 0;
                foreach (Match number in FourDigits().Matches(text))
                {
                    if (number.Index < offset)
                    {
                        continue;
                    }

                    // The clause before the number: a level or "event" there belongs to it, one before a ; . | does not.
                    var before = text[..number.Index];
                    before = before[(before.LastIndexOfAny(['.', ';', '|']) + 1)..];
                    var after = AtLevel().Match(text, number.Index + number.Length);
                    var named = EventBefore().IsMatch(before) || LevelBefore().IsMatch(before) || after.Success;
                    if (!named)
                    {
                        continue;
                    }

                    var level = after.Success ? after.Groups["level"].Value : LevelInClause().Match(before) is { Success: true } m ? m.Groups["level"].Value : null;
                    yield return ($"{Path.GetFileName(file)}:{i + 1}", int.Parse(number.Value, System.Globalization.CultureInfo.InvariantCulture), level);
                }
            }
        }
    }

    [GeneratedRegex(@"(?<![\d.,:/-])\d{4}(?![\d.,:-]\d)")]
    private static partial Regex FourDigits();

    [GeneratedRegex(@"\bevents?(?:\s+ids?)?\s*\(?\s*(?:\d{4}/)*$", RegexOptions.IgnoreCase)]
    private static partial Regex EventBefore();

    [GeneratedRegex(@"\b(?:trace|debug|information|warning|error|critical)\s*\(?\s*(?:\d{4}/)*$", RegexOptions.IgnoreCase)]
    private static partial Regex LevelBefore();

    [GeneratedRegex(@"\G\s+at\s+(?<level>Trace|Debug|Information|Warning|Error|Critical)\b")]
    private static partial Regex AtLevel();

    [GeneratedRegex(@"\b(?<level>trace|debug|information|warning|error|critical)\b(?!.*\b(?:trace|debug|information|warning|error|critical)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex LevelInClause();

    private sealed record Declaration(string Assembly, string Where, int Id, LogLevel Level, string Message, MethodInfo Method);

    private static List<Declaration> Declarations()
    {
        var declarations = SiloAssemblies()
            .SelectMany(a => LoadableTypes(a).Select(t => (Assembly: a.GetName().Name!, Type: t)))
            .SelectMany(x => x.Type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Select(m => (x.Assembly, Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>())))
            .Where(d => d.Attribute is not null)
            .Select(d => new Declaration(d.Assembly, $"{d.Method.DeclaringType!.FullName}.{d.Method.Name}", d.Attribute!.EventId, d.Attribute.Level, d.Attribute.Message, d.Method))
            .ToList();

        // Guards against a scan that finds nothing (the attribute not kept, an assembly not reached) and so cannot fail.
        Assert.True(declarations.Count > 100, $"found only {declarations.Count} [LoggerMessage] declarations");
        return declarations;
    }

    /// <summary>The silo's assembly and every OrleansTrader assembly it reaches.</summary>
    private static List<Assembly> SiloAssemblies()
    {
        var found = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Queue<Assembly>([typeof(Program).Assembly]);
        while (pending.TryDequeue(out var assembly))
        {
            if (!found.TryAdd(assembly.GetName().Name!, assembly))
            {
                continue;
            }

            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name!.StartsWith("OrleansTrader.", StringComparison.Ordinal) && !found.ContainsKey(reference.Name))
                {
                    pending.Enqueue(Assembly.Load(reference));
                }
            }
        }

        return [.. found.Values];
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }
}
