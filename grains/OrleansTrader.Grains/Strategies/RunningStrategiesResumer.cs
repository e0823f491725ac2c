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
internal sealed partial class RunningStrategiesResumer(IReminderTable reminders, IGrainFactory grains, ILogger<RunningStrategiesResumer> logger)
    : IHostedService, IDisposable
{
    private static readonly string StrategyGrainType = typeof(StrategyGrain).FullName!;
    private readonly CancellationTokenSource _stopping = new();
    private Task _resuming = Task.CompletedTask;

    /// <summary>Runs after the grain runtime's own start (it is registered after it), in the background: a silo with many strategies starts at once.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _resuming = Task.Run(() => ResumeAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>The host may stop its services more than once (a stop, then its disposal): the second is a no-op.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }

        await _resuming.WaitAsync(cancellationToken);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task ResumeAsync(CancellationToken stopping)
    {
        try
        {
            var running = (await reminders.ReadAllRowsAsync(stopping))
                .Where(r => r.ReminderName == StrategyGrain.KeepAliveReminder && r.GrainId.Type.Value == StrategyGrainType)
                .Select(r => r.GrainId.Key)
                .ToList();
            foreach (var key in running)
            {
                stopping.ThrowIfCancellationRequested();
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
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
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
