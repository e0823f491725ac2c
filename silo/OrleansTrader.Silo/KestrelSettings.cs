using Microsoft.AspNetCore.Server.Kestrel.Core;
using OrleansTrader.Gateway;

namespace OrleansTrader.Silo;

/// <summary>
/// ASP.NET's own "Kestrel" section. The host reads only its endpoints and certificates from it, so
/// Kestrel:Limits:MaxConcurrentConnections and the other limits an operator set were ignored without a word: the silo binds
/// the section onto the web server's options, and refuses at start a key the web server has no setting for, or a value it
/// refuses, as it does in its own sections.
/// </summary>
internal static class KestrelSettings
{
    public const string SectionName = "Kestrel";

    /// <summary>Kestrel's configuration loader reads these (endpoints, their defaults and certificates); they are not bound here.</summary>
    private static readonly string[] LoaderSections = ["Endpoints", "EndpointDefaults", "Certificates"];

    private const string MaxRequestBodySizeKey = "Limits:MaxRequestBodySize";

    /// <summary>Binds the section onto the web server's options: its limits (connections, body size, timeouts) take effect.</summary>
    public static IHostApplicationBuilder AddKestrelSettings(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<KestrelServerOptions>(builder.Configuration.GetSection(SectionName));
        return builder;
    }

    /// <summary>
    /// One message per key of the section that the web server has no setting for or whose value it refuses; and one when
    /// Kestrel:Limits:MaxRequestBodySize is above Gateway:MaxRequestBodyBytes, which every API request's body is held to
    /// (the gateway sets it per request), so a larger server limit would not take effect.
    /// </summary>
    public static IReadOnlyList<string> FindProblems(IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var section = config.GetSection(SectionName);
        var failures = new List<string>();
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is null || LoaderSections.Any(loader => key.Equals(loader, StringComparison.OrdinalIgnoreCase)
                || key.StartsWith(loader + ":", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            // Each key alone, so that the message names the one refused.
            var alone = new ConfigurationBuilder().AddInMemoryCollection([new($"{SectionName}:{key}", value)]).Build().GetSection(SectionName);
            try
            {
                alone.Bind(new KestrelServerOptions(), options => options.ErrorOnUnknownConfiguration = true);
            }
            catch (Exception refused) when (refused is InvalidOperationException or ArgumentException or System.Reflection.TargetInvocationException)
            {
                failures.Add($"{SectionName}:{key} is not a setting the web server takes with the value '{value}': {Innermost(refused).Message}");
            }
        }

        // An empty value is the web server's "no limit".
        if (failures.Count == 0 && section[MaxRequestBodySizeKey] is { } text)
        {
            var serverLimit = section.GetValue<long?>(MaxRequestBodySizeKey);
            // A gateway value that is no number is the gateway's own settings check to refuse.
            var gatewayText = config[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.MaxRequestBodyBytes)}"];
            long? gatewayLimit = gatewayText is null ? new GatewayOptions().MaxRequestBodyBytes
                : long.TryParse(gatewayText, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            if (gatewayLimit is { } bound && (serverLimit is null || serverLimit > bound))
            {
                failures.Add($"{SectionName}:{MaxRequestBodySizeKey} ({(serverLimit is null ? "no limit" : text)}) is above Gateway:MaxRequestBodyBytes ({bound}), "
                    + "which every API request's body is held to: raise Gateway:MaxRequestBodyBytes instead (at most 1048576).");
            }
        }

        return failures;
    }

    private static Exception Innermost(Exception exception) => exception.InnerException is { } inner ? Innermost(inner) : exception;
}
