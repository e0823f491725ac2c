using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Runtime.AdoNet;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// On PostgreSQL the start tries a database it cannot reach yet again every 2 s until <c>Storage:StartupTimeout</c> has
/// passed: elapsed time, whatever the wall clock does meanwhile.
/// </summary>
public sealed class SiloLeaseStartupWaitTests
{
    private const string Unreachable = "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d;Timeout=5";

    /// <summary>
    /// Judged on the wall clock, a clock stepped an hour forward during the wait (NTP correcting a container host's clock
    /// soon after its boot, as the database starts beside the app) gave up at the next attempt, and the silo exited with
    /// code 1 two seconds into a ten-second wait; one set back an hour went on trying for the hour.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task TheStart_TriesTheDatabaseForStorageStartupTimeoutOfElapsedTime_WhenTheWallClockStepsAnHour(int hours)
    {
        var time = new FakeTimeProvider();
        var clock = new SkewedTimeProvider(time);
        await using var lease = new PostgresSiloLease(new PostgresStorageOptions { ConnectionString = Unreachable }, null, NullLogger.Instance);
        var service = new SiloLeaseService(
            lease, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance), NullLogger<SiloLeaseService>.Instance, clock, TimeSpan.FromSeconds(10));

        var start = service.StartAsync(TestContext.Current.CancellationToken);
        for (var retries = 0; retries < 10; retries++)
        {
            // Each failed attempt arms the wait before the next one, or the start gives up.
            if (await Task.WhenAny(start, time.WaitForActiveTimerCountAsync(1)).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken) == start)
            {
                break;
            }

            if (retries == 0)
            {
                clock.Skew = TimeSpan.FromHours(hours);
            }

            time.Advance(SiloLeaseService.StartupRetryDelay);
        }

        Assert.True(start.IsCompleted, "the start was still trying after 20 s of a 10 s Storage:StartupTimeout");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => start);
        Assert.True(error.Message.EndsWith("(tried 6 times over Storage:StartupTimeout, 00:00:10)", StringComparison.Ordinal), error.Message);
    }
}
