using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// Activates every running strategy as soon as the silo has started. The keep-alive reminder alone brings one back only at
/// its next tick, up to a minute after a restart or a deployment, and a strategy that is not active is not subscribed to
/// its bars: it would miss them. A running strategy is one with the keep-alive reminder (registered on start, removed on
/// stop), so the reminder table lists them.
/// </summary>
/// <remarks>
/// Registered after the grain runtime, so it starts after it; it runs in the background, so a silo with many strategies
/// starts at once.
/// </remarks>
internal sealed partial class RunningStrategiesResumer(IReminderTable reminders, IGrainFactory grains, ILogger<RunningStrategiesResumer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The strategy grain's type as the runtime names it, read from a reference rather than derived again here.
        var strategyGrainType = grains.GetGrain<IStrategyGrain>(StrategyKey.Create("any", "any")).GetGrainId().Type;
        try
        {
            var running = (await reminders.ReadAllRowsAsync(stoppingToken))
                .Where(r => r.ReminderName == StrategyGrain.KeepAliveReminder && r.GrainId.Type == strategyGrainType)
                .Select(r => r.GrainId.Key)
                .ToList();
            foreach (var key in running)
            {
                stoppingToken.ThrowIfCancellationRequested();
                try
                {
                    // Any call activates the grain, and a grain whose state says running starts on activation.
                    await grains.GetGrain<IStrategyGrain>(key).GetStatusAsync();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogResumeFailed(logger, ex, key);
                }
            }

            if (running.Count > 0)
            {
                LogResumed(logger, running.Count);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The reminders still bring each strategy back at their next tick.
            LogListFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 5407, Level = LogLevel.Information, Message = "Resumed {Count} running strategies at silo start")]
    private static partial void LogResumed(ILogger logger, int count);

    [LoggerMessage(EventId = 5408, Level = LogLevel.Warning, Message = "Strategy {StrategyKey} could not be resumed at silo start; its reminder brings it back within a minute")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, string strategyKey);

    [LoggerMessage(EventId = 5409, Level = LogLevel.Warning, Message = "Running strategies could not be listed at silo start; their reminders bring them back within a minute")]
    private static partial void LogListFailed(ILogger logger, Exception exception);
}
