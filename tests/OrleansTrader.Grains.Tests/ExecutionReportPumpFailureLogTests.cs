using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Brokers;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The execution report pump reopens an account's broker report stream when it fails, backing off up to 10 s: while it
/// kept failing (the broker's stream down, the fills stream's storage failing) it warned every attempt, for every
/// account, and never said when reports flowed again; and it waited on real time, whatever the silo's clock. The first
/// failure warns, the repeats are at Debug, the first reports through again say how many attempts failed over how long,
/// and the back-off is waited on the silo's clock.
/// </summary>
public sealed class ExecutionReportPumpFailureLogTests
{
    private const string AccountId = "pump-streak";

    [Fact]
    public async Task ReportStreamThatKeepsFailing_WarnsOnce_LogsTheRepeatsAtDebug_AndTheCountWhenReportsFlowAgain()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        var logs = new CapturedLogs();
        await using var cluster = await StartAsync(time, logs);
        var broker = new FlakyReportStream(time) { Down = true };
        cluster.Cluster.ServiceProvider.GetRequiredService<ExecutionReportPump>().EnsureStarted(AccountId, broker);

        await Eventually.WaitAsync(() => Task.FromResult(Lines(logs).Count), failed => failed >= 5, "five failed report streams",
            tick: () => time.Advance(TimeSpan.FromSeconds(1)));
        broker.Down = false;
        var upAt = time.GetUtcNow();
        await Eventually.WaitAsync(
            () => Task.FromResult((Logged: Lines(logs).Any(e => e.EventId.Id == 5103), Since: time.GetUtcNow() - upAt)),
            r => r.Logged || r.Since >= TimeSpan.FromSeconds(20), "the report stream to deliver again", tick: () => time.Advance(TimeSpan.FromSeconds(1)));

        var lines = Lines(logs);
        var failures = lines.Count - 1;
        string[] expected = ["5101 Warning", .. Enumerable.Repeat("5102 Debug", failures - 1), "5103 Information"];
        Assert.Equal(expected, lines.Select(e => $"{e.EventId.Id} {e.Level}"));
        Assert.Equal(failures, broker.Opens.Count - 1);
        Assert.Contains("The report stream's connection was refused (test).", lines[0].Text, StringComparison.Ordinal);
        Assert.Contains($"Execution report stream of account {AccountId} at flaky works again, after {failures} failed attempts over ", lines[^1].Text, StringComparison.Ordinal);
    }

    /// <summary>
    /// While the reports cannot reach the account its fills are not booked: a warning alone said so, readiness stayed
    /// healthy and no metric moved. Readiness is degraded with the cause until reports flow again, and every failed
    /// attempt is counted by broker.
    /// </summary>
    [Fact]
    public async Task ReportStreamThatKeepsFailing_DegradesReadiness_AndCountsEachFailure_UntilReportsFlowAgain()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        var logs = new CapturedLogs();
        await using var cluster = await StartAsync(time, logs);
        var health = cluster.Cluster.ServiceProvider.GetRequiredService<HealthCheckService>();
        using var failuresMetric = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.execution_reports.failures");
        var healthyBefore = await CheckAsync(health);
        var broker = new FlakyReportStream(time) { Down = true };
        cluster.Cluster.ServiceProvider.GetRequiredService<ExecutionReportPump>().EnsureStarted(AccountId, broker);

        await Eventually.WaitAsync(() => Task.FromResult(Lines(logs).Count), failed => failed >= 3, "three failed report streams",
            tick: () => time.Advance(TimeSpan.FromSeconds(1)));
        var degraded = await CheckAsync(health);
        var counted = failuresMetric.Sum("broker=flaky");
        var opensThen = broker.Opens;
        broker.Down = false;
        await Eventually.WaitAsync(() => Task.FromResult(Lines(logs).Any(e => e.EventId.Id == 5103)), logged => logged, "the report stream to deliver again",
            tick: () => time.Advance(TimeSpan.FromSeconds(1)));
        var recovered = await CheckAsync(health);

        Assert.Equal(HealthStatus.Healthy, healthyBefore.Status);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        var since = Assert.IsType<DateTimeOffset>(degraded.Data["since"]);
        Assert.InRange(since, opensThen[0], opensThen[1]);
        Assert.StartsWith($"Execution reports of 1 account(s) at flaky cannot reach them since {since:O} (", degraded.Description, StringComparison.Ordinal);
        Assert.Contains("last error IOException, logged as event 5101)", degraded.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("connection was refused", degraded.Description, StringComparison.Ordinal);
        Assert.Equal(1, degraded.Data["accounts"]);
        Assert.InRange(counted, 3, opensThen.Count);
        Assert.Equal(broker.Opens.Count - 1, failuresMetric.Sum("broker=flaky"));
        Assert.Equal(HealthStatus.Healthy, recovered.Status);
    }

    [Fact]
    public async Task ReportStreamReopen_WaitsItsDoublingBackOffOnTheSilosClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        await using var cluster = await StartAsync(time, new CapturedLogs());
        var broker = new FlakyReportStream(time) { Down = true };
        cluster.Cluster.ServiceProvider.GetRequiredService<ExecutionReportPump>().EnsureStarted(AccountId, broker);

        // The clock moves 10 ms a step, at most half as fast as real time: a wait on real time reopens too early on it. A
        // wait on the clock reopens once it has passed, not before, and a few steps later on a busy machine.
        var opens = await Eventually.WaitAsync(() => Task.FromResult(broker.Opens.ToList()), o => o.Count >= 6, "six opens of the report stream",
            timeout: TimeSpan.FromSeconds(60), tick: () => time.Advance(TimeSpan.FromMilliseconds(10)));

        var waits = opens.Zip(opens.Skip(1), (a, b) => (b - a).TotalMilliseconds).Take(5).ToList();
        double[] backOff = [100, 200, 400, 800, 1_600];
        Assert.All(backOff.Zip(waits), pair => Assert.InRange(pair.Second, pair.First, pair.First + 1_000));
    }

    [Fact]
    public async Task AnIdleStreamThatStayedOpen_ThenFails_IsANewOutage_WarnedOfAndRetriedSoon()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        var logs = new CapturedLogs();
        await using var cluster = await StartAsync(time, logs);
        var broker = new FlakyReportStream(time) { Down = true, DeliversOnOpen = false };
        cluster.Cluster.ServiceProvider.GetRequiredService<ExecutionReportPump>().EnsureStarted(AccountId, broker);

        // An outage of five attempts (up to 1.6 s apart), then the stream opens and stays open, idle, for a minute.
        await Eventually.WaitAsync(() => Task.FromResult(Lines(logs).Count), failed => failed >= 5, "five failed report streams",
            tick: () => time.Advance(TimeSpan.FromSeconds(1)));
        broker.Down = false;
        await Eventually.WaitAsync(() => Task.FromResult(broker.OpenStreams), open => open == 1, "the report stream to open",
            tick: () => time.Advance(TimeSpan.FromSeconds(1)));
        time.Advance(TimeSpan.FromMinutes(1));
        var outageLines = Lines(logs).Count;

        // The idle stream fails: an outage of its own, not the Debug repeat of the one a minute ago.
        broker.Down = true;
        var brokeAt = time.GetUtcNow();
        broker.BreakOpenStreams();
        await Eventually.WaitAsync(() => Task.FromResult(broker.Opens.Count(at => at > brokeAt)), opens => opens >= 1, "the report stream to be reopened",
            timeout: TimeSpan.FromSeconds(60), tick: () => time.Advance(TimeSpan.FromMilliseconds(10)));

        var after = Lines(logs).Skip(outageLines).Select(e => $"{e.EventId.Id} {e.Level}").ToList();
        Assert.Equal(["5103 Information", "5101 Warning"], after.Take(2));
        Assert.InRange((broker.Opens.First(at => at > brokeAt) - brokeAt).TotalMilliseconds, 100, 1_100);
    }

    private static async Task<HealthReportEntry> CheckAsync(HealthCheckService health) =>
        (await health.CheckHealthAsync(r => r.Name == TradingSiloBuilderExtensions.ExecutionReportsCheckName, TestContext.Current.CancellationToken))
            .Entries[TradingSiloBuilderExtensions.ExecutionReportsCheckName];

    private static async Task<TradingCluster> StartAsync(FakeTimeProvider time, CapturedLogs logs) => await TradingCluster.StartAsync(new TradingClusterOptions
    {
        Time = time,

        // Debug kept, so that the repeats are seen to be logged at their level, not merely filtered out.
        ConfigureSilo = silo => silo.Services.AddSingleton<ILoggerProvider>(logs).AddLogging(b => b.SetMinimumLevel(LogLevel.Debug)),
    });

    private static List<(string Category, LogLevel Level, EventId EventId, string Text)> Lines(CapturedLogs logs) =>
        [.. logs.Entries.Where(e => e.EventId.Id is 5101 or 5102 or 5103 && e.Text.Contains($"AccountId={AccountId};", StringComparison.Ordinal))];

    /// <summary>
    /// A broker whose report stream fails to open while <see cref="Down"/> is set; once up, it delivers one fill (unless
    /// <see cref="DeliversOnOpen"/> is off) and stays open until <see cref="BreakOpenStreams"/>. Records on the clock when
    /// each open was asked for. Nothing else of the broker is used.
    /// </summary>
    private sealed class FlakyReportStream(TimeProvider time) : IBrokerClient
    {
        private readonly Lock _gate = new();
        private readonly List<DateTimeOffset> _opens = [];
        private volatile bool _down;
        private TaskCompletionSource _broken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _openStreams;

        public bool DeliversOnOpen { get; init; } = true;

        public int OpenStreams => Volatile.Read(ref _openStreams);

        /// <summary>Fails the streams open now, as a dropped connection does.</summary>
        public void BreakOpenStreams() => Interlocked.Exchange(ref _broken, new(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();

        public bool Down
        {
            get => _down;
            set => _down = value;
        }

        public string Name => "flaky";

        public IReadOnlyList<DateTimeOffset> Opens
        {
            get
            {
                lock (_gate)
                {
                    return [.. _opens];
                }
            }
        }

        public async IAsyncEnumerable<ExecutionReport> StreamExecutionReportsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                _opens.Add(time.GetUtcNow());
            }

            if (Down)
            {
                throw new IOException("The report stream's connection was refused (test).");
            }

            if (DeliversOnOpen)
            {
                yield return Fill(time.GetUtcNow());
            }

            var broken = Volatile.Read(ref _broken).Task;
            Interlocked.Increment(ref _openStreams);
            try
            {
                await broken.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _openStreams);
            }

            throw new IOException("The report stream's connection dropped (test).");
        }

        public Task<BrokerOrder> SubmitOrderAsync(OrderRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<BrokerOrder> ReplaceOrderAsync(string orderId, OrderReplacement replacement, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<BrokerOrder> CancelOrderAsync(string orderId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<BrokerOrder?> GetOrderAsync(string orderId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<BrokerOrder>> ListOpenOrdersAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<Execution>> GetExecutionsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        private static ExecutionReport Fill(DateTimeOffset at)
        {
            var order = new BrokerOrder
            {
                OrderId = "flaky-1",
                ClientOrderId = "flaky-c1",
                Symbol = "AAPL",
                Side = OrderSide.Buy,
                Type = OrderType.Market,
                TimeInForce = TimeInForce.Day,
                Quantity = 1m,
                FilledQuantity = 1m,
                AverageFillPrice = 100m,
                Status = OrderStatus.Filled,
                CreatedAt = at,
                UpdatedAt = at,
            };
            var execution = new Execution
            {
                ExecutionId = "flaky-x1",
                OrderId = order.OrderId,
                ClientOrderId = order.ClientOrderId,
                Symbol = order.Symbol,
                Side = order.Side,
                Quantity = 1m,
                Price = 100m,
                Timestamp = at,
            };
            return new ExecutionReport(ExecutionReportKind.Fill, order, at, execution);
        }
    }
}
