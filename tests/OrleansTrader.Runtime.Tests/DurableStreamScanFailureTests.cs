using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Runtime.Tests.Grains;
using OrleansTrader.Runtime.Tests.Infrastructure;

namespace OrleansTrader.Runtime.Tests;

/// <summary>
/// The durable provider's scan for streams with events over a database connection the server dropped (PostgreSQL ending
/// an idle pooled session: 57P01; a broken socket: transient): the next scan reads again over a new connection, so it is
/// a warning without the stack, not the error (1053, with the stack) of a stream agent that failed.
/// </summary>
public sealed class DurableStreamScanFailureTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("57P01", false)]
    [InlineData("08006", false)]
    [InlineData(null, true)]
    public async Task ScanOverADroppedConnection_IsAWarningWithoutTheStack_AndTheNextScanReads(string? sqlState, bool transient)
    {
        var logs = new CapturedLogs();
        var log = new ScanFailingLog(new MemoryDurableStreamLog(), new DroppedConnectionException(sqlState, transient));
        log.FailNextScans(1);
        await using var cluster = await IsolatedCluster.StartAsync(silo =>
        {
            silo.Services.AddSingleton<ILoggerProvider>(logs);
            silo.AddDurableStreams("durable", _ => log);
        });
        await WaitUntilAsync(() => logs.Entries.Any(e => e.EventId == 1061), "the scan's warning");

        cluster.Time.Advance(new DurableStreamOptions().PollInterval);
        await cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("durable-events", "after-drop")).OnNextAsync(new TestEvent(1));
        Assert.Equal(["1@1"], await cluster.Probe.WaitForLogAsync("after-drop/received", 1));

        var warning = Assert.Single(logs.Entries, e => e.EventId == 1061);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("terminating connection due to administrator command", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 1053);
    }

    [Fact]
    public async Task ScanFailingForAnotherReason_IsStillTheStreamAgentsError()
    {
        var logs = new CapturedLogs();
        var log = new ScanFailingLog(new MemoryDurableStreamLog(), new DroppedConnectionException("42501", transient: false));
        log.FailNextScans(1);
        await using var cluster = await IsolatedCluster.StartAsync(silo =>
        {
            silo.Services.AddSingleton<ILoggerProvider>(logs);
            silo.AddDurableStreams("durable", _ => log);
        });

        await WaitUntilAsync(() => logs.Entries.Any(e => e.EventId == 1053), "the stream agent's error");
        Assert.Equal(LogLevel.Error, Assert.Single(logs.Entries, e => e.EventId == 1053).Level);
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 1061);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (20 * TimeProvider.System.TimestampFrequency);
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"Timed out waiting for {what}");
            await Task.Delay(10, Ct);
        }
    }
}
