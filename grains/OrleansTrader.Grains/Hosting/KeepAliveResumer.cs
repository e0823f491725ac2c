using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Webhooks;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// Activates every running strategy and every active webhook as soon as the silo has started. Their keep-alive reminders
/// alone bring them back only at their next tick, up to a minute after a restart or a deployment, and one that is not
/// active is not subscribed to its streams: a strategy would miss bars, a webhook would deliver late. Each registers its
/// reminder while it runs and removes it when stopped, so the reminder table lists them.
/// </summary>
/// <remarks>
/// Registered after the grain runtime, so it starts after it; it runs in the background, so a silo with many of them
/// starts at once.
/// </remarks>
internal sealed partial class KeepAliveResumer(IReminderTable reminders, IGrainFactory grains, ILogger<KeepAliveResumer> logger,
    StrategyResumption? resumption = null)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The grains' types as the runtime names them, read from references rather than derived again here.
        var sample = StrategyKey.Create("any", "any");
        (string Reminder, GrainType Type, string What, Func<string, Task> Activate)[] kinds =
        [
            (StrategyGrain.KeepAliveReminder, grains.GetGrain<IStrategyGrain>(sample).GetGrainId().Type, "running strategies",
                key => grains.GetGrain<IStrategyGrain>(key).GetStatusAsync()),
            (WebhookGrain.KeepAliveReminder, grains.GetGrain<IWebhookGrain>(sample).GetGrainId().Type, "active webhooks",
                key => grains.GetGrain<IWebhookGrain>(key).GetStatusAsync()),
        ];
        try
        {
            var rows = await reminders.ReadAllRowsAsync(stoppingToken);
            foreach (var kind in kinds)
            {
                var keys = rows.Where(r => r.ReminderName == kind.Reminder && r.GrainId.Type == kind.Type).Select(r => r.GrainId.Key).ToList();
                foreach (var key in keys)
                {
                    stoppingToken.ThrowIfCancellationRequested();
                    try
                    {
                        // Any call activates the grain, and one whose state says running starts on activation. Not waited
                        // for past the silo's stop: a call stuck until its response timeout held the shutdown that long.
                        await kind.Activate(key).WaitAsync(stoppingToken);
                    }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        // Whatever one grain throws, a cancellation of its own included, the others are still resumed.
                        LogResumeFailed(logger, ex, key);
                    }
                }

                if (keys.Count > 0)
                {
                    LogResumed(logger, keys.Count, kind.What);
                }

                if (kind.Reminder == StrategyGrain.KeepAliveReminder)
                {
                    // The strategies have subscribed to their bars: a replay may start.
                    resumption?.Complete();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The reminders still bring each one back at their next tick.
            LogListFailed(logger, ex);
        }
        finally
        {
            // Resumed or not, a replay waits no longer.
            resumption?.Complete();
        }
    }

    [LoggerMessage(EventId = 5407, Level = LogLevel.Information, Message = "Resumed {Count} {What} at silo start")]
    private static partial void LogResumed(ILogger logger, int count, string what);

    [LoggerMessage(EventId = 5408, Level = LogLevel.Warning, Message = "Grain {GrainKey} could not be resumed at silo start; its reminder brings it back within a minute")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, string grainKey);

    [LoggerMessage(EventId = 5409, Level = LogLevel.Warning, Message = "Running strategies and webhooks could not be listed at silo start; their reminders bring them back within a minute")]
    private static partial void LogListFailed(ILogger logger, Exception exception);
}
