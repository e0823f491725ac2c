using Microsoft.Extensions.Logging;

namespace OrleansTrader.Runtime;

/// <summary>Retention of a durable provider: a timer trims the log of old events every consumer has acknowledged.</summary>
public sealed partial class DurableStreamProvider
{
    private readonly ILogger _logger;
    private ITimer? _trimTimer;
    private int _trimming;

    /// <summary>The last trim run by the timer (completed when none ran yet); tests await it.</summary>
    internal Task LastTrim { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Deletes the events older than <see cref="DurableStreamOptions.Retention"/> (by the runtime's clock) that every
    /// consumer of their stream has checkpointed past; returns how many went.
    /// </summary>
    internal async Task<int> TrimAsync(CancellationToken cancellationToken)
    {
        var cutoff = _runtime.TimeProvider.GetUtcNow() - Options.Retention;
        var deleted = await Log.TrimAsync(cutoff, cancellationToken);
        if (deleted > 0)
        {
            LogTrimmed(deleted, Name, cutoff);
        }
        else
        {
            LogNothingTrimmed(Name, cutoff);
        }

        return deleted;
    }

    private void StartTrimTimer() =>
        _trimTimer = _runtime.TimeProvider.CreateTimer(
            static s => ((DurableStreamProvider)s!).StartTrim(), this, Options.TrimInterval, Options.TrimInterval);

    /// <summary>One trim at a time; a tick while one still runs is skipped (the next interval catches up).</summary>
    private void StartTrim()
    {
        if (_stopping.IsCancellationRequested || Interlocked.Exchange(ref _trimming, 1) != 0)
        {
            return;
        }

        LastTrim = BackgroundWork.Start(RunTrimAsync);
    }

    private async Task RunTrimAsync()
    {
        try
        {
            await TrimAsync(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            // Retention is housekeeping: a failing store is retried on the next interval, the silo goes on.
            LogTrimFailed(ex, Name);
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }

    [LoggerMessage(EventId = 1054, Level = LogLevel.Information, Message = "Durable stream provider {Provider} trimmed {Count} acknowledged event(s) older than {Cutoff}")]
    private partial void LogTrimmed(int count, string provider, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 1055, Level = LogLevel.Debug, Message = "Durable stream provider {Provider} found no acknowledged events older than {Cutoff} to trim")]
    private partial void LogNothingTrimmed(string provider, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 1056, Level = LogLevel.Warning, Message = "Trimming the log of durable stream provider {Provider} failed; retried next interval")]
    private partial void LogTrimFailed(Exception exception, string provider);
}
