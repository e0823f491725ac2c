namespace OrleansTrader.Domain;

/// <summary>
/// The failures in a row of a call made every interval (a report to a breaker every second): its log warns when they
/// begin, writes the repeats at Debug and says once, when the call succeeds again, how many failed and for how long.
/// A warning per interval for one ongoing failure buried every other line of the log. Not thread-safe: one caller's loop
/// or one grain's turns.
/// </summary>
public sealed class FailureStreak(TimeProvider time)
{
    private long _beganTimestamp;

    /// <summary>The failures since the last success; 0 while the call succeeds.</summary>
    public int Failures { get; private set; }

    /// <summary>Counts a failure; true for the first of a streak, the one to warn of.</summary>
    public bool Fail()
    {
        if (Failures == 0)
        {
            _beganTimestamp = time.GetTimestamp();
        }

        Failures++;
        return Failures == 1;
    }

    /// <summary>
    /// Ends the streak on a success: the failures and how long since the first (elapsed time, not the wall clock), or null
    /// when there was none.
    /// </summary>
    public (int Failures, TimeSpan Lasted)? Succeed()
    {
        if (Failures == 0)
        {
            return null;
        }

        var ended = (Failures, time.GetElapsedTime(_beganTimestamp));
        Failures = 0;
        return ended;
    }
}
