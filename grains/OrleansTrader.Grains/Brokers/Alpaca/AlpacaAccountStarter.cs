using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Brokers.Alpaca;

/// <summary>
/// Activates the bound account once the silo runs, so its trade_updates stream and reconciliation start without waiting for
/// the first API call after a restart. A silo in a cluster that does not host the account only sends it a call.
/// </summary>
internal sealed partial class AlpacaAccountStarter(
    IGrainFactory grains, IOptions<AlpacaBindingOptions> options, IHostApplicationLifetime lifetime, ILogger<AlpacaAccountStarter> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var accountId = options.Value.AccountId;
        try
        {
            var snapshot = await grains.GetGrain<IAccountGrain>(accountId).GetSnapshotAsync();
            LogStarted(logger, accountId, snapshot is not null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStartFailed(logger, ex, accountId);
        }
    }

    [LoggerMessage(EventId = 5710, Level = LogLevel.Information, Message = "Alpaca account {AccountId} activated at startup (open: {Open})")]
    private static partial void LogStarted(ILogger logger, string accountId, bool open);

    [LoggerMessage(EventId = 5711, Level = LogLevel.Warning,
        Message = "Could not activate Alpaca account {AccountId} at startup; its stream starts on its first call")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, string accountId);
}
