using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Runtime;

namespace OrleansTrader.Silo.Tests;

/// <summary>A SIGTERM that arrives while the silo is still starting stops what had started, as a stop after the start does.</summary>
public sealed class SiloRunTests
{
    [Fact]
    public async Task AStopAskedForDuringTheStart_StopsTheGrainRuntimeAndTheServicesThatHadStarted()
    {
        var logs = new CapturedLogs();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.UseOrleansTraderSilo(silo =>
        {
            silo.AddMemoryGrainStorageAsDefault();
            silo.UseInMemoryReminderService();
        });
        var started = new StartedService();
        builder.Services.AddSingleton<IHostedService>(started);
        builder.Services.AddHostedService<StopRequestedWhileStarting>();
        var host = builder.Build();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SiloRun.RunAsync(host));

        Assert.Equal(1, started.Stops);
        Assert.Single(logs.Entries, e => e.EventId.Id == 1000);
        Assert.Single(logs.Entries, e => e.EventId.Id == 1001);
        // The host's own error names the service whose start was cancelled (here the test's); the silo's code logs none.
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error && e.Category.StartsWith("OrleansTrader.", StringComparison.Ordinal));
    }

    private sealed class StartedService : IHostedService
    {
        public int Stops { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Stops++;
            return Task.CompletedTask;
        }
    }

    /// <summary>Ctrl+C or SIGTERM while a later service (the web server, say) is still starting.</summary>
    private sealed class StopRequestedWhileStarting(IHostApplicationLifetime lifetime) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.StopApplication();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
