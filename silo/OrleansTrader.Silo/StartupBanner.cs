using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OrleansTrader.Silo;

/// <summary>Logs, once the server listens, what this silo is running so an operator can see it at a glance.</summary>
internal sealed partial class StartupBanner(
    IServer server,
    IHostApplicationLifetime lifetime,
    IHostEnvironment environment,
    ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            LogListening(logger, string.Join(", ", addresses), environment.EnvironmentName);
            if (addresses.FirstOrDefault() is { } first)
            {
                LogExplorer(logger, first.TrimEnd('/') + "/explorer");
            }
        });
        lifetime.ApplicationStopping.Register(() => LogStopping(logger));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information,
        Message = "OrleansTrader silo listening on {Urls} (environment {Environment})")]
    private static partial void LogListening(ILogger logger, string urls, string environment);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Information, Message = "API explorer (paste an API key): {ExplorerUrl}")]
    private static partial void LogExplorer(ILogger logger, string explorerUrl);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Information, Message = "OrleansTrader silo stopping")]
    private static partial void LogStopping(ILogger logger);
}
