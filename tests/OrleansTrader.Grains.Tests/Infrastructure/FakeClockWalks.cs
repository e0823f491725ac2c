using OrleansTrader.Grains.Accounts;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>The silo settings of tests that walk a fake clock by hours (a midnight step, a night between two bars).</summary>
internal static class FakeClockWalks
{
    /// <summary>
    /// The runtime's timeouts run on the fake clock, which such a jump moves by hours: an activation or a call begun just
    /// before it (an account collected as idle on the way, then called by a reminder or a stream delivery's timer) timed
    /// out in it ("Activation of AccountGrain/fuzz-3 did not complete within 00:00:30", seen in CI). A call that really
    /// hangs fails the test's own waits. The account's signals and reconciliation run when the test asks (refresh,
    /// restart), not on timers of the fake clock.
    /// </summary>
    public static ISiloBuilder ForFakeClockWalks(this ISiloBuilder silo)
    {
        silo.Configure<SiloOptions>(o =>
        {
            o.ActivationTimeout = TimeSpan.FromDays(30);
            o.ResponseTimeout = TimeSpan.FromDays(30);
        });
        silo.Configure<AccountGrainOptions>(o =>
        {
            o.SignalInterval = TimeSpan.FromHours(1);
            o.ReconcileInterval = TimeSpan.FromHours(1);
        });
        return silo;
    }
}
