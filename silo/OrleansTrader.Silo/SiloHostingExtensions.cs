using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Silo;

/// <summary>Host-wide defaults: where the silo listens, the web server's limits and how long it may take to stop.</summary>
public static class SiloHostingExtensions
{
    /// <summary>The address the silo serves HTTP on when neither --urls nor ASPNETCORE_URLS says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Graceful shutdown budget: SIGTERM or Ctrl+C must finish within this time.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    public static IHostApplicationBuilder AddSiloDefaults(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Loopback by default: a fresh install must not expose an unauthenticated port to the network.
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // A misspelt key in the gateway's or the silo's section stops the start, as it does in the grains' sections; the
        // grains' keys are named here too, since this check comes first: all of them in one message, not one per restart.
        UnknownSettings.ThrowIfAny([.. TradingHostExtensions.FindUnknownSettings(builder.Configuration), .. FindUnknownSettings(builder.Configuration)]);
        builder.AddKestrelSettings();

        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<StartupBanner>();
        return builder;
    }

    /// <summary>
    /// One message per key the gateway's or the silo's own section has no setting for, and per key of the web server's
    /// (Kestrel) it has no setting for or refuses the value of.
    /// </summary>
    public static IReadOnlyList<string> FindUnknownSettings(IConfiguration config) =>
    [
        .. UnknownSettings.Find(config, OrleansTrader.Gateway.GatewayOptions.SectionName, typeof(OrleansTrader.Gateway.GatewayOptions)),
        .. UnknownSettings.FindOtherThan(config, "Silo", SiloLeaseService.DeploymentIdKey["Silo:".Length..]),
        .. KestrelSettings.FindProblems(config),
    ];

    /// <summary>
    /// One silo per store: the <see cref="SiloLeaseService"/> on PostgreSQL, the <see cref="DataDirectoryLock"/> on
    /// SQLite (memory storage belongs to its process anyway). Call it before the grain runtime is added: hosted services
    /// start in the order they were added and stop in the reverse order.
    /// </summary>
    public static IHostApplicationBuilder AddSiloLease(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var storage = builder.Configuration.GetSection(StorageSettings.SectionName).Get<StorageSettings>() ?? new StorageSettings();
        if (storage.Provider == "sqlite")
        {
            builder.Services.AddHostedService(_ => new DataDirectoryLock(storage.DataDirectory));
        }
        else if (storage.Provider == "postgres" && !string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            var deploymentId = builder.Configuration[SiloLeaseService.DeploymentIdKey];
            if (string.IsNullOrWhiteSpace(deploymentId))
            {
                deploymentId = builder.Configuration[SiloLeaseService.ContainerAppRevisionVariable];
            }

            // A build the store's format refuses stops before it asks the running silo to hand the database over.
            builder.AddStoreFormatCheckBeforeHandover();
            builder.Services.AddSingleton(sp => new PostgresSiloLease(
                new PostgresStorageOptions { ConnectionString = storage.ConnectionString },
                deploymentId,
                sp.GetRequiredService<ILogger<PostgresSiloLease>>()));
            builder.Services.AddHostedService(sp => new SiloLeaseService(
                sp.GetRequiredService<PostgresSiloLease>(), sp.GetRequiredService<IHostApplicationLifetime>(),
                sp.GetRequiredService<ILogger<SiloLeaseService>>(), sp.GetRequiredService<TimeProvider>(), storage.StartupTimeout));
        }

        return builder;
    }

    /// <summary>
    /// The gateway opens accounts with broker "alpaca" only in a silo configured with Alpaca; the account grain still
    /// decides which single account the key is bound to.
    /// </summary>
    public static IHostApplicationBuilder AllowAlpacaAccountsWhenConfigured(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Configuration.GetSection("Alpaca").Exists())
        {
            builder.Services.PostConfigure<OrleansTrader.Gateway.GatewayOptions>(options => options.AllowAlpacaAccounts = true);
        }

        return builder;
    }
}
