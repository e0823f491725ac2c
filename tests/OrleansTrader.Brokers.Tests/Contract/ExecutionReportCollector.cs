using System.Diagnostics;

namespace OrleansTrader.Brokers.Tests.Contract;

/// <summary>Reads a client's execution-report stream in the background and lets tests wait for reports.</summary>
public sealed class ExecutionReportCollector : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private readonly List<ExecutionReport> _reports = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    public ExecutionReportCollector(IBrokerClient client)
    {
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var report in client.StreamExecutionReportsAsync(_stop.Token))
                {
                    lock (_gate)
                    {
                        _reports.Add(report);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Stopped by DisposeAsync.
                return;
            }
        });
    }

    public IReadOnlyList<ExecutionReport> Reports
    {
        get
        {
            lock (_gate)
            {
                return [.. _reports];
            }
        }
    }

    /// <summary>Waits (polling, since it waits on real I/O) until <paramref name="count"/> reports match.</summary>
    public async Task<IReadOnlyList<ExecutionReport>> WaitForAsync(Func<ExecutionReport, bool> predicate, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? DefaultWait).TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var matches = Reports.Where(predicate).ToList();
            if (matches.Count >= count)
            {
                return matches;
            }

            if (_reader.IsFaulted)
            {
                await _reader;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Saw {matches.Count} of {count} expected reports; all: {string.Join(", ", Reports.Select(r => $"{r.Kind}/{r.Order.Status}"))}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        _stop.Dispose();
    }
}
