using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace OrleansTrader.Silo.Logging;

/// <summary>Serilog for the silo: levels and extra sinks from configuration, one console sink, secrets redacted.</summary>
public static class SiloLoggingExtensions
{
    /// <summary>Configuration key choosing the console format: "text" (default) or "json" (one JSON object per line).</summary>
    public const string FormatKey = "Logging:Format";

    public static IHostApplicationBuilder AddSiloLogging(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var logger = CreateLogger(builder.Configuration, new LoggerConfiguration());
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);
        return builder;
    }

    /// <summary>Builds the logger; sinks beyond the console come from the "Serilog" section.</summary>
    public static Serilog.Core.Logger CreateLogger(IConfiguration configuration, LoggerConfiguration loggerConfiguration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(loggerConfiguration);

        var format = configuration[FormatKey] ?? "text";
        ThrowIfLevelUnknown(configuration);
        var configured = loggerConfiguration
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            .Enrich.With<SecretRedactionEnricher>()
            .Filter.ByExcluding(IsStartCanceled);

        configured = format.ToUpperInvariant() switch
        {
            "JSON" => configured.WriteTo.Console(new JsonFormatter(renderMessage: true)),
            "TEXT" => configured.WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException(
                $"Configuration '{FormatKey}' must be 'text' or 'json', not '{format}'."),
        };

        return configured.CreateLogger();
    }

    /// <summary>
    /// The host's "Hosting failed to start" for a start that was canceled: Ctrl+C or SIGTERM while the silo waited for its
    /// PostgreSQL database (another silo holds it), as a rolling deployment stops a waiting replica. That stop was asked
    /// for and lost nothing, yet it logged an error with a stack trace. A start canceled without a stop still prints its
    /// one line ("The silo did not start: ...", Program) and exits with code 1.
    /// </summary>
    private static bool IsStartCanceled(LogEvent logEvent) =>
        logEvent.Exception is OperationCanceledException
        && logEvent.Properties.TryGetValue("SourceContext", out var source)
        && source is ScalarValue { Value: HostCategory };

    /// <summary>The logging category of Microsoft.Extensions.Hosting's host, which logs a start that threw.</summary>
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>
    /// Serilog's own message for a bad level names neither the key nor, for an override, the problem ("No LoggingLevelSwitch
    /// has been declared"): the levels are checked here first, by key. A "$name" value refers to a declared level switch.
    /// </summary>
    private static void ThrowIfLevelUnknown(IConfiguration configuration)
    {
        var minimumLevel = configuration.GetSection("Serilog:MinimumLevel");
        var levels = new[] { minimumLevel, minimumLevel.GetSection("Default") }.Concat(minimumLevel.GetSection("Override").GetChildren());
        foreach (var level in levels)
        {
            if (level.Value is { } value && !value.StartsWith('$') && !Enum.TryParse<Serilog.Events.LogEventLevel>(value, ignoreCase: true, out _))
            {
                throw new InvalidOperationException(
                    $"Configuration '{level.Path}' must be a Serilog level (Verbose, Debug, Information, Warning, Error, Fatal), not '{value}'.");
            }
        }
    }
}
