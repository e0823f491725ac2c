using System.Reflection;
using Serilog;
using Serilog.Configuration;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace OrleansTrader.Silo.Logging;

/// <summary>Serilog for the silo: levels and extra sinks from configuration, one console sink, secrets redacted, control characters escaped.</summary>
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
        LoggerConfiguration fromSettings;
        try
        {
            fromSettings = loggerConfiguration.ReadFrom.Configuration(configuration);
        }
        catch (Exception error)
        {
            // Serilog's own message names neither the key nor the section ("Requested value 'Dayly' was not found.").
            var cause = error is TargetInvocationException { InnerException: { } inner } ? inner : error;
            throw new InvalidOperationException($"Configuration 'Serilog' is invalid: {cause.Message}", cause);
        }

        ThrowIfSinkNotFound(configuration);
        var configured = fromSettings
            .Enrich.FromLogContext()
            .Enrich.With<SecretRedactionEnricher>()
            .Enrich.With<ControlCharacterEscapingEnricher>()
            .Filter.ByExcluding(IsStartCanceled);

        configured = format.ToUpperInvariant() switch
        {
            "JSON" => configured.WriteTo.Console(new JsonFormatter(renderMessage: true)),
            "TEXT" => configured.WriteTo.Console(new SiloTextFormatter()),
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
    /// Serilog skips a "Serilog:WriteTo" entry it finds no method for (a misspelt name, a required argument missing) without
    /// a word, so the operator's log file was never written. It is checked here the way Serilog chooses: a static method of a
    /// loaded Serilog assembly (or one in "Serilog:Using") with the name in the same case ("file" is skipped too), taking a
    /// LoggerSinkConfiguration first, whose required parameters the entry's "Args" all give (in any case).
    /// </summary>
    private static void ThrowIfSinkNotFound(IConfiguration configuration)
    {
        var entries = configuration.GetSection("Serilog:WriteTo").GetChildren().ToArray();
        if (entries.Length == 0)
        {
            return;
        }

        var sinkMethods = SinkMethods(configuration).ToArray();
        foreach (var entry in entries)
        {
            var nameKey = entry.Value is null ? entry.GetSection("Name") : entry;
            if (nameKey.Value is not { } name)
            {
                continue;
            }

            var arguments = entry.GetSection("Args").GetChildren().Select(argument => argument.Key).ToArray();
            var candidates = sinkMethods.Where(method => string.Equals(method.Name, name, StringComparison.Ordinal)).ToArray();
            if (candidates.Length == 0)
            {
                var known = sinkMethods.Where(method => method.IsPublic).Select(method => method.Name).Distinct().Order(StringComparer.Ordinal);
                throw new InvalidOperationException(
                    $"Configuration '{nameKey.Path}' names the sink '{name}', which the silo does not have (it has {string.Join(", ", known)}).");
            }

            var missing = candidates
                .Select(method => method.GetParameters().Skip(1)
                    .Where(parameter => !parameter.HasDefaultValue
                        && !typeof(IConfiguration).IsAssignableFrom(parameter.ParameterType)
                        && !arguments.Contains(parameter.Name, StringComparer.OrdinalIgnoreCase))
                    .Select(parameter => parameter.Name)
                    .ToArray())
                .MinBy(names => names.Length)!;
            if (missing.Length > 0)
            {
                throw new InvalidOperationException(
                    $"Configuration '{entry.Path}:Args' lacks what the sink '{name}' needs: {string.Join(", ", missing)}.");
            }

            if (name == "File")
            {
                ThrowIfFolderNotWritable(entry.GetSection("Args").GetChildren()
                    .First(argument => string.Equals(argument.Key, "path", StringComparison.OrdinalIgnoreCase)));
            }
        }
    }

    /// <summary>
    /// Serilog's file sink swallows a file it cannot open (it logs to Serilog's own diagnostics, which nobody reads) and the
    /// silo ran without its log file: the file's folder is created and written to here first.
    /// </summary>
    private static void ThrowIfFolderNotWritable(IConfigurationSection pathKey)
    {
        if (string.IsNullOrWhiteSpace(pathKey.Value))
        {
            throw new InvalidOperationException($"Configuration '{pathKey.Path}' must name the log file.");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(Environment.ExpandEnvironmentVariables(pathKey.Value)))!;
        try
        {
            Directory.CreateDirectory(folder);
            using var probe = new FileStream(
                Path.Combine(folder, $".write-check-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Configuration '{pathKey.Path}': the log file's folder {folder} cannot be written: {error.Message}", error);
        }
    }

    private static IEnumerable<MethodInfo> SinkMethods(IConfiguration configuration)
    {
        var usedAssemblies = configuration.GetSection("Serilog:Using").GetChildren().Select(entry => entry.Value).OfType<string>().ToArray();
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            var name = assembly.GetName().Name ?? string.Empty;
            if (assembly.IsDynamic
                || !(name.Contains("serilog", StringComparison.OrdinalIgnoreCase) || usedAssemblies.Contains(name, StringComparer.OrdinalIgnoreCase)))
            {
                continue;
            }

            foreach (var type in assembly.GetTypes().Where(type => type is { IsAbstract: true, IsSealed: true }))
            {
                foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
                {
                    if (method.GetParameters() is [{ ParameterType: var first }, ..] && first == typeof(LoggerSinkConfiguration))
                    {
                        yield return method;
                    }
                }
            }
        }
    }

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
