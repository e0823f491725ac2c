using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Diagnostics;
using OrleansTrader.Gateway.Json;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Apis;

/// <summary>
/// Writes an account's events as SSE. Correctness over cleverness: every event is read from the account's persisted event
/// history (<see cref="IAccountGrain.GetEventsAsync"/>) in sequence order, so a reconnect with Last-Event-ID sees no gap and
/// no duplicate. The live "account-events" memory stream only wakes the loop early (a one-slot signal: bounded buffering per
/// connection whatever the event rate); a poll covers dropped notifications. Heartbeats are SSE comments. The loop ends
/// when the client disconnects, or stops reading (a write it does not take within the write timeout aborts the connection).
/// </summary>
internal sealed partial class EventStreamResult(
    string accountId,
    long after,
    IAccountGrain account,
    IClusterClient? client,
    GatewayEventStreamOptions options,
    TimeProvider time,
    GatewayMetrics metrics,
    ILogger<EventStreamResult> logger,
    Func<Task<bool>>? keyActive = null) : IResult, IEndpointMetadataProvider
{
    public const string ContentType = "text/event-stream";

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), [ContentType]));
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        // The stream also ends when the host stops, so open connections never hold up a graceful shutdown.
        var stopping = httpContext.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, stopping);
        var aborted = ended.Token;
        var response = httpContext.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var subscription = await SubscribeAsync(wake.Writer);
        metrics.EventStreamOpened();
        try
        {
            if (!await TimedWriteAsync(response.Body.FlushAsync, aborted) || !await RunAsync(response.Body, wake.Reader, aborted))
            {
                // A client that stopped reading would otherwise hold its connection, its key's slot and a page for as long
                // as the server's minimum data rate allows: hours, once the stream has sent megabytes. Aborting frees them.
                LogWriteStalled(logger, accountId, options.WriteTimeout);
                httpContext.Abort();
            }
            else if (aborted.IsCancellationRequested)
            {
                // Gone while the stream waited for events: the wait ends without an exception.
                LogDisconnected(logger, accountId, after);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            LogDisconnected(logger, accountId, after);
        }
        finally
        {
            metrics.EventStreamClosed();
            if (subscription is not null)
            {
                await subscription.UnsubscribeAsync();
            }
        }
    }

    /// <summary>Writes until the client disconnects or the host stops (true), the key is revoked (true), or the client
    /// does not take a write within <see cref="GatewayEventStreamOptions.WriteTimeout"/> (false).</summary>
    private async Task<bool> RunAsync(Stream body, ChannelReader<bool> wake, CancellationToken aborted)
    {
        // Elapsed time, not the wall clock's: set back an hour, the wall clock held the heartbeat an hour.
        var lastWrite = time.GetTimestamp();
        Task<bool>? woken = null;
        while (!aborted.IsCancellationRequested)
        {
            // Checked before every read: a revoked key receives nothing more (the key cache makes this cheap).
            if (keyActive is not null && !await keyActive())
            {
                LogKeyRevoked(logger, accountId, after);
                return true;
            }

            var page = await account.GetEventsAsync(after, options.PageSize);
            var text = new StringBuilder();
            if (after > page.LastSequence)
            {
                // An id past the account's newest event was never given by this account's history (it was reset, or the id
                // is another account's): waiting for it would skip every event up to it. Announced like pruned history.
                AppendTruncated(text, after, page.OldestSequence);
                after = 0;
                page = await account.GetEventsAsync(after, options.PageSize);
            }
            else if (page.Truncated)
            {
                AppendTruncated(text, after, page.OldestSequence);
            }

            if (page.Truncated)
            {
                // Each gap is announced once; history pruned past the reader again later (a slow catch-up) is a new gap.
                after = Math.Max(after, page.OldestSequence - 1);
            }

            foreach (var e in page.Events.Where(e => e.Sequence > after).OrderBy(e => e.Sequence))
            {
                Append(text, e.Sequence, Kind(e.Kind), JsonSerializer.Serialize(MoneyReport.Round(e), GatewayJsonContext.Default.AccountEvent));
                after = e.Sequence;
            }

            if (text.Length > 0)
            {
                if (!await WriteAsync(body, text, aborted))
                {
                    return false;
                }

                lastWrite = time.GetTimestamp();
                if (page.Events.Count >= options.PageSize)
                {
                    continue;
                }
            }

            if (time.GetElapsedTime(lastWrite) >= options.HeartbeatInterval)
            {
                if (!await WriteAsync(body, new StringBuilder(": heartbeat\n\n"), aborted))
                {
                    return false;
                }

                lastWrite = time.GetTimestamp();
            }

            // Raced, not canceled: a wait canceled by its poll timeout threw an OperationCanceledException per idle stream
            // every poll interval. The signal's wait outlives a poll that ends first and is taken up by the next one (a new
            // wait each poll would leave a waiter on the channel per poll); the delay ends at once when the client goes.
            var wait = Min(options.PollInterval, options.HeartbeatInterval - time.GetElapsedTime(lastWrite));
            woken ??= wake.WaitToReadAsync(CancellationToken.None).AsTask();
            using var pollEnded = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            var poll = Task.Delay(wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : wait, time, pollEnded.Token);
            if (await Task.WhenAny(woken, poll) == woken)
            {
                woken = null;
                wake.TryRead(out _);
            }
            else if (!aborted.IsCancellationRequested)
            {
                LogPolled(logger, accountId);
            }

            // Frees the delay's timer when the signal came first.
            await pollEnded.CancelAsync();
        }

        return true;
    }

    private async Task<StreamSubscriptionHandle<AccountEvent>?> SubscribeAsync(ChannelWriter<bool> wake)
    {
        if (client is null)
        {
            LogPollingOnly(logger, accountId, "no cluster client in this host");
            return null;
        }

        try
        {
            var stream = client.GetStreamProvider(StreamNames.MemoryProvider)
                .GetStream<AccountEvent>(StreamId.Create(StreamNames.AccountEvents, accountId));
            return await stream.SubscribeAsync((_, _) =>
            {
                wake.TryWrite(true);
                return Task.CompletedTask;
            });
        }
        catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException or InvalidOperationException)
        {
            LogPollingOnly(logger, accountId, ex.Message);
            return null;
        }
    }

    private static void Append(StringBuilder text, long? id, string kind, string json)
    {
        if (id is { } sequence)
        {
            text.Append("id: ").Append(sequence.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        text.Append("event: ").Append(kind).Append('\n').Append("data: ").Append(json).Append("\n\n");
    }

    private static void AppendTruncated(StringBuilder text, long requestedAfter, long oldestSequence) =>
        Append(text, null, "truncated", JsonSerializer.Serialize(new EventHistoryTruncated(requestedAfter, oldestSequence), GatewayJsonContext.Default.EventHistoryTruncated));

    /// <summary>Writes and flushes <paramref name="text"/>; false when the client did not take it in time.</summary>
    private Task<bool> WriteAsync(Stream body, StringBuilder text, CancellationToken aborted)
    {
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        return TimedWriteAsync(
            async cancellation =>
            {
                await body.WriteAsync(bytes, cancellation);
                await body.FlushAsync(cancellation);
            },
            aborted);
    }

    /// <summary>
    /// Runs one write; false when it did not complete within <see cref="GatewayEventStreamOptions.WriteTimeout"/>: the
    /// client stopped reading and the socket's and the server's buffers are full. Checked after the write too, since a
    /// server may end a canceled write by aborting the connection instead of throwing.
    /// </summary>
    private async Task<bool> TimedWriteAsync(Func<CancellationToken, Task> write, CancellationToken aborted)
    {
        using var timeout = new CancellationTokenSource(options.WriteTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, timeout.Token);
        try
        {
            await write(linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }

        return !timeout.IsCancellationRequested;
    }

    private static string Kind(AccountEventKind kind) => kind switch
    {
        AccountEventKind.OrderUpdated => "orderUpdated",
        AccountEventKind.Fill => "fill",
        AccountEventKind.BreakerChanged => "breakerChanged",
        AccountEventKind.CashTransfer => "cashTransfer",
        _ => "event",
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(EventId = 7201, Level = LogLevel.Debug, Message = "Event stream of account {AccountId} closed by the client after sequence {Sequence}")]
    private static partial void LogDisconnected(ILogger logger, string accountId, long sequence);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Warning, Message = "Event stream of account {AccountId} polls only ({Why}); events arrive within the poll interval")]
    private static partial void LogPollingOnly(ILogger logger, string accountId, string why);

    [LoggerMessage(EventId = 7204, Level = LogLevel.Information, Message = "Event stream of account {AccountId} ended after sequence {Sequence}: its key was revoked")]
    private static partial void LogKeyRevoked(ILogger logger, string accountId, long sequence);

    [LoggerMessage(EventId = 7205, Level = LogLevel.Information, Message = "Event stream of account {AccountId} ended: the client took no write within {WriteTimeout} (it resumes with Last-Event-ID)")]
    private static partial void LogWriteStalled(ILogger logger, string accountId, TimeSpan writeTimeout);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Trace, Message = "Event stream of account {AccountId} polled")]
    private static partial void LogPolled(ILogger logger, string accountId);
}
