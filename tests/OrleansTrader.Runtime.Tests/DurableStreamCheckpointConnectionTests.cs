using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Runtime.Tests.Grains;
using OrleansTrader.Runtime.Tests.Infrastructure;

namespace OrleansTrader.Runtime.Tests;

/// <summary>
/// A consumer's checkpoint read at its cursor's start, its progress saved by a flush, and the retention trim, each over a
/// pooled database connection the server ended (pg_terminate_backend: 57P01): the next attempt goes over a new connection,
/// so each is a warning without the stack, not the stream agent's error 1053, and no checkpoint is lost or moved back.
/// Another database error stays the error it was.
/// </summary>
public sealed class DurableStreamCheckpointConnectionTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly MemoryDurableStreamLog _memory = new();
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task CheckpointReadOverADroppedConnection_IsAWarning_AndANewCursorDelivers()
    {
        var log = new ConnectionDroppingLog(_memory, new DroppedConnectionException("57P01"));
        log.FailNextCheckpointReads(1);
        await using var cluster = await StartAsync(log);

        await Stream(cluster, "read-dropped").OnNextAsync(new TestEvent(1));
        await AdvanceUntilAsync(cluster, () => Task.FromResult(cluster.Probe.GetLog("read-dropped/received").Count > 0), "the delivery");

        Assert.Equal(["1@1"], cluster.Probe.GetLog("read-dropped/received"));
        var warning = Assert.Single(_logs.Entries, e => e.EventId == 1062);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("terminating connection due to administrator command", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId == 1053);
    }

    [Fact]
    public async Task ProgressSavedOverADroppedConnection_IsAWarning_AndTheNextFlushStoresIt()
    {
        var log = new ConnectionDroppingLog(_memory, new DroppedConnectionException("57P01"));
        await using var cluster = await StartAsync(log);
        var streamId = StreamId.Create("durable-events", "save-dropped");
        log.FailNextProgressSaves(1);

        await Stream(cluster, "save-dropped").OnNextBatchAsync([new TestEvent(1), new TestEvent(2)]);
        await cluster.Probe.WaitForLogAsync("save-dropped/received", 2);
        await AdvanceUntilAsync(cluster, async () => await _memory.GetCheckpointAsync(streamId, ConsumerId("save-dropped"), Ct) == 2, "the checkpoint");

        Assert.Equal(["1@1", "2@2"], cluster.Probe.GetLog("save-dropped/received"));
        var warning = Assert.Single(_logs.Entries, e => e.EventId == 1063);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId == 1053);
    }

    [Fact]
    public async Task TrimOverADroppedConnection_IsAWarningWithoutTheStack()
    {
        var log = new ConnectionDroppingLog(_memory, new DroppedConnectionException("57P01"));
        log.FailNextTrims(1);
        await using var cluster = await StartAsync(log);

        cluster.Time.Advance(new DurableStreamOptions().TrimInterval);
        await AdvanceUntilAsync(cluster, () => Task.FromResult(_logs.Entries.Any(e => e.EventId is 1064 or 1056)), "the trim's line", TimeSpan.Zero);

        var warning = Assert.Single(_logs.Entries, e => e.EventId is 1064 or 1056);
        Assert.Equal(1064, warning.EventId);
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    [Fact]
    public async Task ProgressSaveRefusedForAnotherReason_IsStillTheStreamAgentsError()
    {
        var log = new ConnectionDroppingLog(_memory, new DroppedConnectionException("42501"));
        await using var cluster = await StartAsync(log);
        var streamId = StreamId.Create("durable-events", "save-refused");
        log.FailNextProgressSaves(1);

        await Stream(cluster, "save-refused").OnNextAsync(new TestEvent(1));
        await cluster.Probe.WaitForLogAsync("save-refused/received", 1);
        await AdvanceUntilAsync(cluster, async () => await _memory.GetCheckpointAsync(streamId, ConsumerId("save-refused"), Ct) == 1, "the checkpoint");

        Assert.Equal(LogLevel.Error, Assert.Single(_logs.Entries, e => e.EventId == 1053).Level);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId == 1063);
    }

    /// <summary>Moves the silo's clock a flush interval at a time until <paramref name="condition"/> holds (20 s of real time at most).</summary>
    private static async Task AdvanceUntilAsync(IsolatedCluster cluster, Func<Task<bool>> condition, string what, TimeSpan? step = null)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (20 * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"Timed out waiting for {what}");
            cluster.Time.Advance(step ?? new DurableStreamOptions().CheckpointFlushInterval);
            await Task.Delay(10, Ct);
        }
    }

    private static string ConsumerId(string key) => GrainId.Create(typeof(DurableSubscriberGrain).FullName!, key).ToString();

    private static IAsyncStream<TestEvent> Stream(IsolatedCluster cluster, string key) =>
        cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("durable-events", key));

    private Task<IsolatedCluster> StartAsync(ConnectionDroppingLog log) =>
        IsolatedCluster.StartAsync(silo =>
        {
            silo.Services.AddSingleton<ILoggerProvider>(_logs);
            silo.AddDurableStreams("durable", _ => log, o => o.RetryDelay = TimeSpan.Zero);
        });
}
