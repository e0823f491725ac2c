using System.Globalization;
using OrleansTrader.Grains.Abstractions;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace OrleansTrader.Silo.Logging;

/// <summary>
/// The silo's text line: "[time LEVEL] category: message", " (correlation id ...)" when it was logged for an HTTP request,
/// then the exception. The id is what the client got in X-Correlation-Id and in an error's body, so an operator finds the
/// line a client quotes. A file sink names this class as its "formatter" to write the same lines.
/// </summary>
public sealed class SiloTextFormatter : ITextFormatter
{
    // ":l", not ":lj": JSON rendering quoted an enum ("Buy" 10 SPY), which the console's own renderer did not.
    private readonly MessageTemplateTextFormatter _message = new(
        "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:l}", CultureInfo.InvariantCulture);

    private readonly MessageTemplateTextFormatter _exception = new("{NewLine}{Exception}", CultureInfo.InvariantCulture);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);

        _message.Format(logEvent, output);
        if (logEvent.Properties.TryGetValue(RequestContextKeys.CorrelationId, out var correlationId)
            && correlationId is ScalarValue { Value: string id })
        {
            output.Write(" (correlation id ");
            output.Write(id);
            output.Write(')');
        }

        _exception.Format(logEvent, output);
    }
}
