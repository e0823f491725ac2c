using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.Runtime;

/// <summary>Retention of a durable provider: a timer trims the log of old events every consumer has acknowledged.</summary>
public sealed partial class DurableStreamProvider
{
    private readonly ILogger _logger;
    private readonly Counter<long> _trimmedUnread;
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
        var now = _runtime.TimeProvider.GetUtcNow();
        if (now - DateTimeOffset.MinValue <= Options.Retention)
        {
            // A retention reaching before the calendar ("keep for good") has no cutoff: nothing is old enough.
            return 0;
        }

        var cutoff = now - Options.Retention;
        var started = Stopwatch.GetTimestamp();
        var deleted = await Log.TrimAsync(cutoff, cancellationToken);
        if (deleted > 0)
        {
            // How long it took, so an operator sees a trim that grows with the log (it should follow what it deletes).
            LogTrimmed(deleted, Name, cutoff, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
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
        catch (Exception ex) when (DroppedConnection(ex))
        {
            // The pool's connection, not the store: the stack said nothing an operator could act on.
            LogTrimConnectionDropped(Name, ex.Message);
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

    /// <summary>
    /// A reader that asked for the events after <paramref name="afterSequence"/> starts at <paramref name="firstRetained"/>
    /// instead: the events between were trimmed (sequences are gap-free per stream, so only a trim leaves a hole). Logged
    /// and counted, never silent: a rewind or a checkpointed consumer lost events it asked for (a warning); a consumer with
    /// no checkpoint yet starts from what is retained as documented (information).
    /// </summary>
    internal void ReportTrimmedStart(StreamId streamId, string consumerId, long afterSequence, long firstRetained, TrimmedStart reason)
    {
        var requested = afterSequence + 1;
        var missing = firstRetained - requested;
        if (missing <= 0)
        {
            return;
        }

        switch (reason)
        {
            case TrimmedStart.Rewind:
                LogRewindIntoTrimmedHistory(streamId, Name, consumerId, requested, firstRetained, missing);
                break;
            case TrimmedStart.Checkpoint:
                LogUnreadEventsTrimmed(streamId, Name, consumerId, requested, firstRetained, missing);
                break;
            default:
                LogNewConsumerStartsAfterTrim(streamId, Name, consumerId, requested, firstRetained, missing);
                break;
        }

        _trimmedUnread.Add(
            missing,
            _providerTag,
            new KeyValuePair<string, object?>("namespace", streamId.Namespace),
            new KeyValuePair<string, object?>("reason", reason switch
            {
                TrimmedStart.Rewind => "rewind",
                TrimmedStart.Checkpoint => "checkpoint",
                _ => "new_consumer",
            }));
    }

    [LoggerMessage(EventId = 1054, Level = LogLevel.Information, Message = "Durable stream provider {Provider} trimmed {Count} acknowledged event(s) older than {Cutoff:O} in {ElapsedMs} ms")]
    private partial void LogTrimmed(int count, string provider, DateTimeOffset cutoff, long elapsedMs);

    [LoggerMessage(EventId = 1055, Level = LogLevel.Debug, Message = "Durable stream provider {Provider} found no acknowledged events older than {Cutoff:O} to trim")]
    private partial void LogNothingTrimmed(string provider, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 1056, Level = LogLevel.Warning, Message = "Trimming the log of durable stream provider {Provider} failed; retried next interval")]
    private partial void LogTrimFailed(Exception exception, string provider);

    [LoggerMessage(EventId = 1064, Level = LogLevel.Warning, Message = "Trimming the log of durable stream provider {Provider}: the database dropped the connection ({Reason}); retried next interval")]
    private partial void LogTrimConnectionDropped(string provider, string reason);

    [LoggerMessage(EventId = 1058, Level = LogLevel.Warning, Message = "Rewind of {StreamId} on provider {Provider} for {ConsumerId} asked for #{RequestedSequence}, but events before #{OldestRetained} were trimmed: delivery starts at #{OldestRetained}, {Missing} event(s) no longer exist")]
    private partial void LogRewindIntoTrimmedHistory(StreamId streamId, string provider, string consumerId, long requestedSequence, long oldestRetained, long missing);

    [LoggerMessage(EventId = 1059, Level = LogLevel.Warning, Message = "Stream {StreamId} on provider {Provider}: {ConsumerId} resumes at #{RequestedSequence} (after its checkpoint), but events before #{OldestRetained} were trimmed before it read them: {Missing} unacknowledged event(s) lost")]
    private partial void LogUnreadEventsTrimmed(StreamId streamId, string provider, string consumerId, long requestedSequence, long oldestRetained, long missing);

    [LoggerMessage(EventId = 1060, Level = LogLevel.Information, Message = "Stream {StreamId} on provider {Provider}: new consumer {ConsumerId} (no checkpoint) starts at the oldest retained event #{OldestRetained}; the {Missing} event(s) before it, from #{RequestedSequence}, were trimmed")]
    private partial void LogNewConsumerStartsAfterTrim(StreamId streamId, string provider, string consumerId, long requestedSequence, long oldestRetained, long missing);
}

/// <summary>Where a reader's start came from, for <see cref="DurableStreamProvider.ReportTrimmedStart"/>.</summary>
internal enum TrimmedStart
{
    /// <summary>A consumer with no checkpoint yet (checkpoint 0): starting from the retained events is the documented intent.</summary>
    NewConsumer,

    /// <summary>The consumer's own checkpoint: it had not acknowledged what was trimmed.</summary>
    Checkpoint,

    /// <summary>A rewind to a token (SubscribeAsync or ResumeAsync with a token).</summary>
    Rewind,
}
