using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using OrleansTrader.Silo.Logging;

namespace OrleansTrader.Silo.Tests;

/// <summary>The logging settings as an operator uses them (README, Configuration: Logging:Format, Serilog:*).</summary>
public sealed class SiloLoggingSettingsTests
{
    private sealed class CapturingSink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }

    private static IConfiguration Settings(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    /// <summary>
    /// An error's response carries a correlation id the client quotes (docs/api.md, Correlation); the gateway logs in a scope
    /// holding it. The text format, the default, printed only the message, so the line a client's id points to could not be
    /// found in the console.
    /// </summary>
    [Fact]
    public void TextFormat_ShowsTheCorrelationId_OfALineLoggedInARequestScope()
    {
        var sink = new CapturingSink();
        using var logger = SiloLoggingExtensions.CreateLogger(Settings([]), new LoggerConfiguration().WriteTo.Sink(sink));
        using var provider = new SerilogLoggerProvider(logger);
        var gatewayLogger = provider.CreateLogger("OrleansTrader.Gateway.Diagnostics.GatewayExceptionHandler");

        using (gatewayLogger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = "corr-7f3a" }))
        {
            gatewayLogger.LogError(new InvalidOperationException("boom"), "Unhandled exception in the gateway");
        }

        gatewayLogger.LogInformation("Outside any request");

        var lines = sink.Events.Select(RenderAsText).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Contains("Unhandled exception in the gateway (correlation id corr-7f3a)", lines[0], StringComparison.Ordinal);
        Assert.Contains("boom", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("Outside any request" + Environment.NewLine, lines[1], StringComparison.Ordinal);
    }

    /// <summary>
    /// A webhook receiver writes the status line its failed attempts are logged with (event 5802). The text sinks wrote it
    /// as it came: a carriage return or line feed in it began a line of the receiver's, and escape sequences reached the
    /// operator's terminal (found against a real silo with a receiver answering "HTTP/1.1 500 Oops\x1b[31m...\r...").
    /// </summary>
    [Fact]
    public void TextFormat_EscapesTheControlCharactersOfALoggedValue_SoNoValueBeginsALine()
    {
        var sink = new CapturingSink();
        using var logger = SiloLoggingExtensions.CreateLogger(Settings([]), new LoggerConfiguration().WriteTo.Sink(sink));
        using var provider = new SerilogLoggerProvider(logger);

        provider.CreateLogger("OrleansTrader.Grains.Webhooks.WebhookGrain").LogWarning(
            "Webhook {WebhookId} of account {AccountId}: attempt failed: {Error}",
            "fills",
            "alice",
            "HTTP 500 Oops\r\n[20:50:05 INF] OrleansTrader.Gateway: forged\u001b[2J\u2028\tend");

        var text = RenderAsText(Assert.Single(sink.Events));
        Assert.EndsWith(
            "WebhookGrain: Webhook fills of account alice: attempt failed: HTTP 500 Oops\\r\\n[20:50:05 INF] OrleansTrader.Gateway: forged\\u001B[2J\\u2028\tend"
                + Environment.NewLine,
            text,
            StringComparison.Ordinal);
    }

    /// <summary>A text inside a destructured value is escaped too: the text formatter quotes it but writes a line break as it is.</summary>
    [Fact]
    public void TextFormat_EscapesTheControlCharactersInsideADestructuredValue()
    {
        var sink = new CapturingSink();
        using var logger = SiloLoggingExtensions.CreateLogger(Settings([]), new LoggerConfiguration().WriteTo.Sink(sink));

        logger.ForContext("SourceContext", "OrleansTrader.Test").Information("Attempt {@Attempt}", new { Error = "a\nb", Errors = new[] { "c\rd" } });

        var text = RenderAsText(Assert.Single(sink.Events));
        Assert.EndsWith("OrleansTrader.Test: Attempt { Error: \"a\\nb\", Errors: [\"c\\rd\"] }" + Environment.NewLine, text, StringComparison.Ordinal);
    }

    /// <summary>Values read as the console wrote them before the formatter: an enum and a text unquoted ("Buy 10 SPY").</summary>
    [Fact]
    public void TextFormat_WritesEnumsAndTextUnquoted()
    {
        var sink = new CapturingSink();
        using var logger = SiloLoggingExtensions.CreateLogger(Settings([]), new LoggerConfiguration().WriteTo.Sink(sink));
        using var provider = new SerilogLoggerProvider(logger);

        provider.CreateLogger("OrleansTrader.Grains.Accounts.AccountGrain").LogInformation("Fill: {Side} {Quantity} {Symbol}", DayOfWeek.Monday, 10, "SPY");

        Assert.EndsWith("Fill: Monday 10 SPY" + Environment.NewLine, RenderAsText(Assert.Single(sink.Events)), StringComparison.Ordinal);
    }

    /// <summary>"Invalid settings stop startup with a message naming the key" (README): Serilog skips a sink it cannot find
    /// without a word, so a misspelt sink (Serilog matches the name in its case), or a file sink without its path, left the operator's log file unwritten.</summary>
    [Theory]
    [InlineData("Fiel", "path", "'Serilog:WriteTo:0:Name'", "Fiel")]
    [InlineData("file", "path", "'Serilog:WriteTo:0:Name'", "'file'")]
    [InlineData("File", "pth", "'Serilog:WriteTo:0:Args'", "path")]
    public void CreateLogger_Throws_NamingTheKey_WhenASinkCannotBeConfigured(string sink, string argument, string key, string named)
    {
        using var folder = new TemporaryFolder();
        var configuration = Settings(new()
        {
            ["Serilog:WriteTo:0:Name"] = sink,
            [$"Serilog:WriteTo:0:Args:{argument}"] = Path.Combine(folder.Path, "silo.log"),
        });

        var error = Assert.Throws<InvalidOperationException>(
            () => SiloLoggingExtensions.CreateLogger(configuration, new LoggerConfiguration()));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Serilog's file sink swallows a file it cannot open (a read-only disk, a folder that is a file), so the silo ran
    /// with no log file and no error.</summary>
    [Fact]
    public void CreateLogger_Throws_NamingThePath_WhenTheLogFileCannotBeWritten()
    {
        using var folder = new TemporaryFolder();
        var notAFolder = Path.Combine(folder.Path, "a-file");
        File.WriteAllText(notAFolder, "not a folder");
        var configuration = Settings(new()
        {
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = Path.Combine(notAFolder, "silo-.log"),
            ["Serilog:WriteTo:0:Args:rollingInterval"] = "Day",
        });

        var error = Assert.Throws<InvalidOperationException>(
            () => SiloLoggingExtensions.CreateLogger(configuration, new LoggerConfiguration()));

        Assert.Contains("'Serilog:WriteTo:0:Args:path'", error.Message, StringComparison.Ordinal);
        Assert.Contains(notAFolder, error.Message, StringComparison.Ordinal);
    }

    /// <summary>A value Serilog refuses ("Requested value 'Dayly' was not found.") named neither the key nor the section.</summary>
    [Fact]
    public void CreateLogger_Throws_NamingTheSection_WhenSerilogRefusesAValue()
    {
        using var folder = new TemporaryFolder();
        var configuration = Settings(new()
        {
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = Path.Combine(folder.Path, "silo.log"),
            ["Serilog:WriteTo:0:Args:rollingInterval"] = "Dayly",
        });

        var error = Assert.Throws<InvalidOperationException>(
            () => SiloLoggingExtensions.CreateLogger(configuration, new LoggerConfiguration()));

        Assert.Contains("'Serilog'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Dayly", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The file sink as README documents it: rolled by day, written by the time the logger is disposed (the host's
    /// stop), in the silo's own text lines and with secrets masked as on the console.</summary>
    [Fact]
    public void FileSink_FromTheEnvironmentStyleKeys_WritesTheSilosLinesWithSecretsMasked()
    {
        using var folder = new TemporaryFolder();
        var configuration = Settings(new()
        {
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = Path.Combine(folder.Path, "silo-.log"),
            ["Serilog:WriteTo:0:Args:rollingInterval"] = "Day",
            ["Serilog:WriteTo:0:Args:formatter"] = "OrleansTrader.Silo.Logging.SiloTextFormatter, OrleansTrader.Silo",
        });

        var logger = SiloLoggingExtensions.CreateLogger(configuration, new LoggerConfiguration());
        logger.ForContext("SourceContext", "OrleansTrader.Test")
            .Information("Connecting to {Target} with {ApiKey}", "Host=db;Password=pa55word-in-file", "key-in-file-123");
        logger.Dispose();

        var file = Assert.Single(Directory.GetFiles(folder.Path, "silo-*.log"));
        var text = File.ReadAllText(file);
        Assert.Contains("INF] OrleansTrader.Test: Connecting to Host=db;Password=***", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pa55word-in-file", text, StringComparison.Ordinal);
        Assert.DoesNotContain("key-in-file-123", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every request with a missing, wrong or throttled key logged two or three Information lines from ASP.NET's
    /// authentication handler ("ApiKey was not authenticated", twice, and "was challenged"): under our handler's category,
    /// so "Microsoft": "Warning" did not quiet them, and any client without a key could fill the log at Information.
    /// </summary>
    [Fact]
    public void ShippedSettings_KeepTheAuthenticationHandlersPerRequestLines_BelowInformation()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepositoryFolder.Root, "silo", "OrleansTrader.Silo", "appsettings.json"))
            .Build();
        var sink = new CapturingSink();
        using var logger = SiloLoggingExtensions.CreateLogger(configuration, new LoggerConfiguration().WriteTo.Sink(sink));
        using var provider = new SerilogLoggerProvider(logger);
        var handlerLogger = provider.CreateLogger("OrleansTrader.Gateway.Security.ApiKeyAuthenticationHandler");

        handlerLogger.LogInformation("ApiKey was not authenticated. Failure message: The key is unknown or revoked.");
        handlerLogger.LogWarning("A warning of the handler");
        provider.CreateLogger("OrleansTrader.Grains.Accounts.AccountGrain").LogInformation("Account demo opened");

        Assert.Equal(
            ["A warning of the handler", "Account demo opened"],
            sink.Events.Select(e => e.RenderMessage(CultureInfo.InvariantCulture)));
    }

    private static string RenderAsText(LogEvent logEvent)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new SiloTextFormatter().Format(logEvent, writer);
        return writer.ToString();
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ot-logging-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
