using Serilog.Events;

namespace OrleansTrader.Silo.Logging;

/// <summary>
/// Rewrites a log event's property values at any depth of a destructured object, for the enrichers that mask or escape
/// what the sinks would write. A value left unchanged, a structure included, stays the same instance, so an event with
/// nothing to rewrite is not copied.
/// </summary>
internal static class LogPropertyValues
{
    /// <summary>
    /// Asked first about each value, with the name it goes by (a property's name, or a dictionary entry's key; empty for a
    /// sequence's element and for a key itself): the value to write instead (the same instance to keep it), or null to look
    /// inside a structure, sequence or dictionary.
    /// </summary>
    public delegate LogEventPropertyValue? Rewriter(string name, LogEventPropertyValue value);

    public static void RewriteProperties(LogEvent logEvent, Rewriter rewrite)
    {
        foreach (var (name, value) in logEvent.Properties.ToArray())
        {
            var rewritten = Rewrite(name, value, rewrite);
            if (!ReferenceEquals(rewritten, value))
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, rewritten));
            }
        }
    }

    private static LogEventPropertyValue Rewrite(string name, LogEventPropertyValue value, Rewriter rewrite) =>
        rewrite(name, value) ?? value switch
        {
            StructureValue structure => RewriteStructure(structure, rewrite),
            SequenceValue sequence => RewriteSequence(sequence, rewrite),
            DictionaryValue dictionary => RewriteDictionary(dictionary, rewrite),
            _ => value,
        };

    private static LogEventPropertyValue RewriteStructure(StructureValue structure, Rewriter rewrite)
    {
        var changed = false;
        var properties = new List<LogEventProperty>(structure.Properties.Count);
        foreach (var property in structure.Properties)
        {
            var rewritten = Rewrite(property.Name, property.Value, rewrite);
            changed |= !ReferenceEquals(rewritten, property.Value);
            properties.Add(new LogEventProperty(property.Name, rewritten));
        }

        return changed ? new StructureValue(properties, structure.TypeTag) : structure;
    }

    private static LogEventPropertyValue RewriteSequence(SequenceValue sequence, Rewriter rewrite)
    {
        var changed = false;
        var elements = new List<LogEventPropertyValue>(sequence.Elements.Count);
        foreach (var element in sequence.Elements)
        {
            var rewritten = Rewrite(string.Empty, element, rewrite);
            changed |= !ReferenceEquals(rewritten, element);
            elements.Add(rewritten);
        }

        return changed ? new SequenceValue(elements) : sequence;
    }

    private static LogEventPropertyValue RewriteDictionary(DictionaryValue dictionary, Rewriter rewrite)
    {
        var changed = false;
        var entries = new List<KeyValuePair<ScalarValue, LogEventPropertyValue>>(dictionary.Elements.Count);
        foreach (var (key, element) in dictionary.Elements)
        {
            var rewrittenKey = Rewrite(string.Empty, key, rewrite) as ScalarValue ?? key;
            var rewritten = Rewrite(key.Value?.ToString() ?? string.Empty, element, rewrite);
            changed |= !ReferenceEquals(rewrittenKey, key) || !ReferenceEquals(rewritten, element);
            entries.Add(new(rewrittenKey, rewritten));
        }

        return changed ? new DictionaryValue(entries) : dictionary;
    }
}
