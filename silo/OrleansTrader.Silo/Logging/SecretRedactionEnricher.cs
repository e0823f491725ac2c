using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace OrleansTrader.Silo.Logging;

/// <summary>
/// Replaces the value of every log property that is named like a secret (…Key, …Secret, …Password, …Token),
/// at any depth of a destructured object, and masks passwords inside connection strings wherever they appear.
/// It runs as an enricher so it sees every event before any sink writes it.
/// </summary>
public sealed partial class SecretRedactionEnricher : ILogEventEnricher
{
    public const string Mask = "***";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        foreach (var (name, value) in logEvent.Properties.ToArray())
        {
            var redacted = Redact(name, value);
            if (!ReferenceEquals(redacted, value))
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, redacted));
            }
        }
    }

    /// <summary>True for property names that hold credentials.</summary>
    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    /// <summary>Masks the password of any connection string inside <paramref name="text"/>.</summary>
    public static string RedactConnectionStringPasswords(string text) =>
        ConnectionStringPassword().Replace(text, m => m.Groups["prefix"].Value + Mask);

    private static LogEventPropertyValue Redact(string name, LogEventPropertyValue value)
    {
        if (IsSecretName(name))
        {
            return new ScalarValue(Mask);
        }

        return value switch
        {
            ScalarValue { Value: string text } when ConnectionStringPassword().IsMatch(text) =>
                new ScalarValue(RedactConnectionStringPasswords(text)),
            StructureValue structure => RedactStructure(structure),
            SequenceValue sequence => RedactSequence(sequence),
            DictionaryValue dictionary => RedactDictionary(dictionary),
            _ => value,
        };
    }

    private static LogEventPropertyValue RedactStructure(StructureValue structure)
    {
        var changed = false;
        var properties = new List<LogEventProperty>(structure.Properties.Count);
        foreach (var property in structure.Properties)
        {
            var redacted = Redact(property.Name, property.Value);
            changed |= !ReferenceEquals(redacted, property.Value);
            properties.Add(new LogEventProperty(property.Name, redacted));
        }

        return changed ? new StructureValue(properties, structure.TypeTag) : structure;
    }

    private static LogEventPropertyValue RedactSequence(SequenceValue sequence)
    {
        var changed = false;
        var elements = new List<LogEventPropertyValue>(sequence.Elements.Count);
        foreach (var element in sequence.Elements)
        {
            var redacted = Redact(string.Empty, element);
            changed |= !ReferenceEquals(redacted, element);
            elements.Add(redacted);
        }

        return changed ? new SequenceValue(elements) : sequence;
    }

    private static LogEventPropertyValue RedactDictionary(DictionaryValue dictionary)
    {
        var changed = false;
        var entries = new List<KeyValuePair<ScalarValue, LogEventPropertyValue>>(dictionary.Elements.Count);
        foreach (var (key, element) in dictionary.Elements)
        {
            var redacted = Redact(key.Value?.ToString() ?? string.Empty, element);
            changed |= !ReferenceEquals(redacted, element);
            entries.Add(new(key, redacted));
        }

        return changed ? new DictionaryValue(entries) : dictionary;
    }

    [GeneratedRegex(@"(key|secret|password|passwd|pwd|token|credentials?)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    // A value may be quoted ('...' or "...", the quote doubled inside), and then holds ';' and '=' as plain characters.
    [GeneratedRegex(@"(?<prefix>\b(password|pwd)\s*=\s*)('(?:[^']|'')*'?|""(?:[^""]|"""")*""?|[^;]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionStringPassword();
}
