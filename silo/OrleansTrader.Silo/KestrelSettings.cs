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

    /// <summary>
    /// The minimum data rates: a <see cref="MinDataRate"/> has no setters, so the binder bound their BytesPerSecond and
    /// GracePeriod into nothing and the web server kept its own (240 bytes/s after 5 s), without a word. Set here, from
    /// both keys or one and the web server's value for the other.
    /// </summary>
    private static readonly string[] DataRateKeys = ["Limits:MinRequestBodyDataRate", "Limits:MinResponseDataRate"];

    /// <summary>Binds the section onto the web server's options: its limits (connections, body size, timeouts, rates) take effect.</summary>
    public static IHostApplicationBuilder AddKestrelSettings(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(SectionName);
        builder.Services.Configure<KestrelServerOptions>(section);
        builder.Services.Configure<KestrelServerOptions>(options =>
        {
            options.Limits.MinRequestBodyDataRate = DataRate(section.GetSection(DataRateKeys[0]), options.Limits.MinRequestBodyDataRate);
            options.Limits.MinResponseDataRate = DataRate(section.GetSection(DataRateKeys[1]), options.Limits.MinResponseDataRate);
        });
        return builder;
    }

    /// <summary>The rate the section sets, the keys it leaves out taken from <paramref name="current"/>; current when it sets none.</summary>
    private static MinDataRate? DataRate(IConfigurationSection rate, MinDataRate? current)
    {
        var bytesPerSecond = rate[nameof(MinDataRate.BytesPerSecond)];
        var gracePeriod = rate[nameof(MinDataRate.GracePeriod)];
        if (bytesPerSecond is null && gracePeriod is null)
        {
            return current;
        }

        var fallback = current ?? new KestrelServerLimits().MinRequestBodyDataRate!;
        return new MinDataRate(
            bytesPerSecond is null ? fallback.BytesPerSecond : rate.GetValue<double>(nameof(MinDataRate.BytesPerSecond)),
            gracePeriod is null ? fallback.GracePeriod : rate.GetValue<TimeSpan>(nameof(MinDataRate.GracePeriod)));
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
                // A misspelt certificate section ("Certificate") holds its password: the start's message must not print it.
                var shown = Logging.SecretRedactionEnricher.IsSecretName(key)
                    ? " (its value is not shown: the name says it is a secret)"
                    : $" with the value '{value}'";
                failures.Add($"{SectionName}:{key} is not a setting the web server takes{shown}: {Innermost(refused).Message}");
            }
        }

        // The binder converts a rate's values but, with no setter to call, never builds the rate: one the web server refuses
        // (a negative rate, a grace period of a second or less) passed the start.
        if (failures.Count == 0)
        {
            foreach (var key in DataRateKeys)
            {
                try
                {
                    DataRate(section.GetSection(key), new KestrelServerLimits().MinRequestBodyDataRate);
                }
                catch (Exception refused) when (refused is InvalidOperationException or ArgumentException)
                {
                    var rate = section.GetSection(key);
                    failures.Add($"{SectionName}:{key} is not a rate the web server takes (BytesPerSecond '{rate[nameof(MinDataRate.BytesPerSecond)]}', "
                        + $"GracePeriod '{rate[nameof(MinDataRate.GracePeriod)]}'): {Innermost(refused).Message}");
                }
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
