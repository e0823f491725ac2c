using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Brokers;

/// <summary>
/// Pumps each connected account's broker execution reports into the durable stream "fills"/account, where the account
/// grain consumes them at least once and applies them exactly once in effect (by execution id). A broken report stream is
/// reopened with backoff; what it missed meanwhile is back-filled by the account's reconciliation.
/// </summary>
internal sealed partial class ExecutionReportPump(IServiceProvider services, ILogger<ExecutionReportPump> logger) : IHostedService, IAsyncDisposable
{
    private const int MaxBatch = 256;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, Task> _pumps = new(StringComparer.Ordinal);
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
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await PumpOnceAsync(client, stream, stopping);
                backoff = TimeSpan.FromMilliseconds(100);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPumpFailed(logger, ex, accountId, client.Name, backoff.TotalMilliseconds);
                try
                {
                    await Task.Delay(backoff, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    private static async Task PumpOnceAsync(IBrokerClient client, IAsyncStream<ExecutionReport> stream, CancellationToken stopping)
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
            }
        }
        finally
        {
            await linked.CancelAsync();
            await reader;
        }

        await channel.Reader.Completion;
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning,
        Message = "Execution report stream of account {AccountId} at {Broker} failed; reopening in {DelayMs} ms (reconciliation back-fills the gap)")]
    private static partial void LogPumpFailed(ILogger logger, Exception exception, string accountId, string broker, double delayMs);
}
