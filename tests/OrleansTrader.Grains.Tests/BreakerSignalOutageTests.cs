using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// While an account's P&amp;L and equity cannot reach its breaker, the breaker's daily-loss and drawdown triggers cannot
/// trip: only warning 5011 said so (its repeats at Debug), no metric moved and readiness stayed healthy. Readiness's
/// breaker-signals check is Degraded (accounts counted, the error's type only) until the signals go through again, and
/// every tick that could not report them is counted.
/// </summary>
public sealed class BreakerSignalOutageTests
{
    // The names readiness and /metrics answer with: pinned as strings, since operators' alerts use them.
    private const string CheckName = "breaker-signals";
    private const string FailuresMetric = "orleanstrader.breaker_signals.failures";
    private const string AccountId = "signals-down";

    [Fact]
    public async Task SignalsThatCannotReachTheBreaker_DegradeReadiness_UntilTheyGoThroughAgain()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        var breakerReports = new RefusedBreakerReports();
        await using var cluster = await StartAsync(time, breakerReports);
        var health = cluster.Cluster.ServiceProvider.GetRequiredService<HealthCheckService>();
        await OpenAndReportAsync(cluster, time, breakerReports);
        var healthyBefore = await CheckAsync(health);

        breakerReports.Down = true;
        var downAt = time.GetUtcNow();
        await RefuseThreeTicksAsync(time, breakerReports);
        var degraded = await Eventually.WaitAsync(() => CheckAsync(health), e => e.Status != HealthStatus.Healthy, "readiness to see the outage");

        breakerReports.Down = false;
        var recovered = await Eventually.WaitAsync(() => CheckAsync(health), e => e.Status == HealthStatus.Healthy, "the signals to go through again",
            tick: () => time.Advance(TimeSpan.FromSeconds(1)));

        Assert.Equal(HealthStatus.Healthy, healthyBefore.Status);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal(1, degraded.Data["accounts"]);
        var since = Assert.IsType<DateTimeOffset>(degraded.Data["since"]);
        Assert.InRange(since, downAt, downAt.AddSeconds(2));
        Assert.StartsWith($"Breaker signals of 1 account(s) cannot reach their breaker since {since:O} (", degraded.Description, StringComparison.Ordinal);
        Assert.Contains("last error TimeoutException, logged as event 5011)", degraded.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(AccountId, degraded.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("did not answer", degraded.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, recovered.Status);
    }

    [Fact]
    public async Task SignalsThatCannotReachTheBreaker_AreCountedOncePerTick()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        var breakerReports = new RefusedBreakerReports();
        await using var cluster = await StartAsync(time, breakerReports);
        using var failures = new InstrumentReader(cluster.Cluster.ServiceProvider, FailuresMetric);
        await OpenAndReportAsync(cluster, time, breakerReports);

        breakerReports.Down = true;
        await RefuseThreeTicksAsync(time, breakerReports);
        breakerReports.Down = false;
        var answered = breakerReports.Answered;
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.WaitAsync(() => Task.FromResult(breakerReports.Answered), a => a > answered, "a signal tick to reach the breaker again",
            tick: () => time.Advance(TimeSpan.FromSeconds(1)));

        Assert.InRange(breakerReports.Refused, 3, int.MaxValue);
        Assert.Equal(breakerReports.Refused, failures.Sum(""));
    }

    private static Task<TradingCluster> StartAsync(FakeTimeProvider time, RefusedBreakerReports breakerReports) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        Time = time,
        ConfigureSilo = silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(breakerReports),
    });

    private static async Task OpenAndReportAsync(TradingCluster cluster, FakeTimeProvider time, RefusedBreakerReports breakerReports)
    {
        await TestAccounts.OpenAsync(cluster, AccountId, 10_000m);
        await Eventually.WaitAsync(() => Task.FromResult(breakerReports.Answered), answered => answered >= 1, "a signal tick to reach the breaker",
            tick: () => time.Advance(TimeSpan.FromSeconds(1)));
    }

    private static Task RefuseThreeTicksAsync(FakeTimeProvider time, RefusedBreakerReports breakerReports) =>
        Eventually.WaitAsync(() => Task.FromResult(breakerReports.Refused), refused => refused >= 3, "three refused signal reports",
            tick: () => time.Advance(TimeSpan.FromSeconds(1)));

    private static async Task<HealthReportEntry> CheckAsync(HealthCheckService health)
    {
        var report = await health.CheckHealthAsync(r => r.Name == CheckName, TestContext.Current.CancellationToken);
        Assert.Contains(CheckName, report.Entries.Keys);
        return report.Entries[CheckName];
    }

    /// <summary>Refuses an account's signal reports to its breaker while <see cref="Down"/> is set, as calls that time out.</summary>
    private sealed class RefusedBreakerReports : IIncomingGrainCallFilter
    {
        private volatile bool _down;
        private int _refused;
        private int _answered;

        public bool Down
        {
            get => _down;
            set => _down = value;
        }

        public int Refused => Volatile.Read(ref _refused);

        public int Answered => Volatile.Read(ref _answered);

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Grain is not IBreakerGrain || context.MethodName != nameof(IBreakerGrain.ReportAccountSignalsAsync))
            {
                await context.Invoke();
                return;
            }

            if (Down)
            {
                Interlocked.Increment(ref _refused);
                throw new TimeoutException("The breaker did not answer in time (test).");
            }

            await context.Invoke();
            Interlocked.Increment(ref _answered);
        }
    }
}
