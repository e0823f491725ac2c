using System.Buffers;
using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace OrleansTrader.Silo.Logging;

/// <summary>
/// Writes the control characters of every text a log event carries (at any depth of a destructured object) as escapes:
/// a line break as <c>\r</c> or <c>\n</c>, any other as <c>\u001B</c>. Some of those texts come from outside: a webhook
/// receiver's status line ("HTTP 500 " and its reason phrase, as the receiver wrote it) is logged at every failed
/// attempt, and the text sinks (the console, a file) wrote it as it came, so a receiver could end a line and write one of
/// its own, move the cursor back over the line with a carriage return, or send the operator's terminal escape sequences.
/// Tabs stay as they are, and so does an exception's text, whose stack trace spans lines by design. It runs as an
/// enricher so every sink (a file with Serilog's own formatter too) gets the escaped text.
/// </summary>
public sealed class ControlCharacterEscapingEnricher : ILogEventEnricher
{
    // C0 and C1 controls (DEL included) but the tab, and the Unicode line and paragraph separators some viewers break on.
    private static readonly SearchValues<char> Escaped = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c != '\t').Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c), '\u2028', '\u2029']);

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        LogPropertyValues.RewriteProperties(logEvent, Escape);
    }

    /// <summary><paramref name="text"/> with its control characters escaped (the same instance when it has none).</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = text.AsSpan().IndexOfAny(Escaped);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16).Append(text, 0, first);
        foreach (var c in text.AsSpan(first))
        {
            if (c == '\r')
            {
                builder.Append("\\r");
            }
            else if (c == '\n')
            {
                builder.Append("\\n");
            }
            else if (Escaped.Contains(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A string with its control characters escaped (a dictionary's keys too); null to look inside.</summary>
    private static LogEventPropertyValue? Escape(string name, LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } when Escape(text) is var escaped && !ReferenceEquals(escaped, text) => new ScalarValue(escaped),
        ScalarValue => value,
        _ => null,
    };
}
