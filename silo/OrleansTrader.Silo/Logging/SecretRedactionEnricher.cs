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
        LogPropertyValues.RewriteProperties(logEvent, Redact);
    }

    /// <summary>True for property names that hold credentials.</summary>
    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    /// <summary>Masks the password of any connection string inside <paramref name="text"/>.</summary>
    public static string RedactConnectionStringPasswords(string text) =>
        ConnectionStringPassword().Replace(text, m => m.Groups["prefix"].Value + Mask);

    /// <summary>The mask for a value named like a secret, a string with its connection-string passwords masked; null to look inside.</summary>
    private static LogEventPropertyValue? Redact(string name, LogEventPropertyValue value) => value switch
    {
        _ when IsSecretName(name) => new ScalarValue(Mask),
        ScalarValue { Value: string text } when ConnectionStringPassword().IsMatch(text) => new ScalarValue(RedactConnectionStringPasswords(text)),
        ScalarValue => value,
        _ => null,
    };

    [GeneratedRegex(@"(key|secret|password|passwd|pwd|token|credentials?)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    // A value may be quoted ('...' or "...", the quote doubled inside), and then holds ';' and '=' as plain characters.
    // Npgsql reads a password under "Psw" and "Pwd" too, and the client certificate key's under "SSL Password" or "SslPassword".
    [GeneratedRegex(@"(?<prefix>\b(ssl\s*)?(password|pwd|psw)\s*=\s*)('(?:[^']|'')*'?|""(?:[^""]|"""")*""?|[^;]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionStringPassword();
}
