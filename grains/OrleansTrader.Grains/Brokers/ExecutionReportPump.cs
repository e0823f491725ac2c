using OrleansTrader.Domain;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Diagnostics;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Brokers;

/// <summary>
/// Pumps each connected account's broker execution reports into the durable stream "fills"/account, where the account
/// grain consumes them at least once and applies them exactly once in effect (by execution id). A broken report stream is
/// reopened with backoff, waited on the silo's clock; what it missed meanwhile is back-filled by the account's
/// reconciliation. An outage warns once, when it begins; the further failures are at Debug, and the first reports through
/// again say how many attempts failed over how long. Each failed attempt is counted (orleanstrader.execution_reports.failures),
/// and the accounts in an outage are what <see cref="ExecutionReportHealthCheck"/> reports as degraded: meanwhile their fills
/// are not booked, so their positions and cash lag the broker's.
/// </summary>
internal sealed partial class ExecutionReportPump(IServiceProvider services, TimeProvider time, GrainsMetrics metrics, ILogger<ExecutionReportPump> logger)
    : IHostedService, IAsyncDisposable
{
    private const int MaxBatch = 256;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, Task> _pumps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReportOutage> _outages = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _stopLock = new();
    private Task? _cancel;

    public void EnsureStarted(string accountId, IBrokerClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (_stopping.IsCancellationRequested)
        {
            throw new InvalidOperationException("The silo is stopping; no new report pumps start.");
        }

        _pumps.GetOrAdd(accountId, id => Task.Run(() => RunAsync(id, client, _stopping.Token)));
    }

    /// <summary>
    /// The accounts whose report stream is failing now, each from its first failed attempt until reports flow again: a
    /// delivery, or a reopened stream that stays open as long as the longest back-off (an idle account's reports none).
    /// </summary>
    public IReadOnlyList<ReportOutage> Outages
    {
        get
        {
            var now = time.GetUtcNow();
            return [.. _outages.Values.Where(o => o.ReopenedAt is not { } reopened || now - reopened < MaxBackoff).OrderBy(o => o.Since)];
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // One cancel, which every caller awaits: the host's stop and the container's disposal can run at once, and a stop
        // that had seen the source not yet cancelled then cancelled it after the disposal had disposed it
        // (ObjectDisposedException from the host's stop).
        Task cancel;
        lock (_stopLock)
        {
            cancel = _cancel ??= _stopping.CancelAsync();
        }

        await cancel;
        await Task.WhenAll(_pumps.Values).WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    private async Task RunAsync(string accountId, IBrokerClient client, CancellationToken stopping)
    {
        var stream = services.GetRequiredService<IClusterClient>()
            .GetStreamProvider(StreamNames.DurableProvider)
            .GetStream<ExecutionReport>(StreamId.Create(StreamNames.Fills, accountId));
        var backoff = FirstBackoff;

        // A stream down for an hour warned every 10 s for every account, and never said when it delivered again.
        var failures = new FailureStreak(time);
        void Delivered()
        {
            if (failures.Succeed() is { } ended)
            {
                _outages.TryRemove(accountId, out _);
                LogPumpRecovered(logger, accountId, client.Name, ended.Failures, ended.Lasted);
            }
        }

        while (!stopping.IsCancellationRequested)
        {
            var opened = time.GetTimestamp();
            if (_outages.TryGetValue(accountId, out var down))
            {
                _outages[accountId] = down with { ReopenedAt = time.GetUtcNow() };
            }

            try
            {
                await PumpOnceAsync(client, stream, Delivered, stopping);
                backoff = FirstBackoff;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A stream that stayed open that long worked, reports or not (an idle account has none): its failure is a
                // new outage, warned of and retried soon, not the Debug repeat of an outage long over at the longest back-off.
                if (time.GetElapsedTime(opened) >= MaxBackoff)
                {
                    Delivered();
                    backoff = FirstBackoff;
                }

                // Only this loop writes the account's entry: the outage keeps the time of its first failure.
                metrics.ExecutionReportsFailed(client.Name);
                var first = failures.Fail();
                var since = !first && _outages.TryGetValue(accountId, out var outage) ? outage.Since : time.GetUtcNow();
                // The error's type only: readiness answers anyone, and a message may name hosts or accounts (event 5101 logs it whole).
                _outages[accountId] = new ReportOutage(client.Name, since, failures.Failures, ex.GetType().Name);
                if (first)
                {
                    LogPumpFailed(logger, ex, accountId, client.Name, backoff.TotalMilliseconds);
                }
                else
                {
                    LogPumpFailedAgain(logger, ex, accountId, client.Name, failures.Failures, backoff.TotalMilliseconds);
                }

                try
                {
                    await Task.Delay(backoff, time, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    /// <summary>
    /// Pumps the broker's report stream until it ends or fails; <paramref name="delivered"/> is called after the first
    /// batch that reached the fills stream (the stream's opening alone does not say that reports flow again; staying open
    /// does, which the caller judges when it ends).
    /// </summary>
    private static async Task PumpOnceAsync(IBrokerClient client, IAsyncStream<ExecutionReport> stream, Action delivered, CancellationToken stopping)
    {
        var channel = Channel.CreateBounded<ExecutionReport>(new BoundedChannelOptions(8192) { SingleReader = true, SingleWriter = true });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var report in client.StreamExecutionReportsAsync(linked.Token))
                {
                    await channel.Writer.WriteAsync(report, linked.Token);
                }

                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);

        // The stop completes the channel rather than cancelling each wait: a wait on a cancellable token allocates its
        // waiter (about 90 bytes, up to two per order), one on no token reuses the channel's own.
        using var wake = stopping.Register(static writer => ((ChannelWriter<ExecutionReport>)writer!).TryComplete(), channel.Writer);
        var batch = new List<ExecutionReport>(MaxBatch);
        var first = true;
        try
        {
            while (await channel.Reader.WaitToReadAsync(CancellationToken.None))
            {
                stopping.ThrowIfCancellationRequested();
                while (batch.Count < MaxBatch && channel.Reader.TryRead(out var report))
                {
                    batch.Add(report);
                }

                await stream.OnNextBatchAsync(batch);
                batch.Clear();
                if (first)
                {
                    first = false;
                    delivered();
                }
            }
        }
        finally
        {
            await linked.CancelAsync();
            await reader;
        }

        await channel.Reader.Completion;
    }

    /// <summary>
    /// An account's report stream failing since <paramref name="Since"/>, <paramref name="Failures"/> attempts in a row;
    /// <paramref name="ReopenedAt"/> is when the attempt now under way began, null while it waits out its back-off.
    /// </summary>
    internal sealed record ReportOutage(string Broker, DateTimeOffset Since, int Failures, string Error, DateTimeOffset? ReopenedAt = null);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning,
        Message = "Execution report stream of account {AccountId} at {Broker} failed; reopening in {DelayMs} ms (reconciliation back-fills the gap), the further failures at Debug until reports flow again")]
    private static partial void LogPumpFailed(ILogger logger, Exception exception, string accountId, string broker, double delayMs);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug,
        Message = "Execution report stream of account {AccountId} at {Broker} failed again ({Failures} failures in a row); reopening in {DelayMs} ms")]
    private static partial void LogPumpFailedAgain(ILogger logger, Exception exception, string accountId, string broker, int failures, double delayMs);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information,
        Message = "Execution report stream of account {AccountId} at {Broker} works again, after {Failures} failed attempts over {Lasted}")]
    private static partial void LogPumpRecovered(ILogger logger, string accountId, string broker, int failures, TimeSpan lasted);
}
