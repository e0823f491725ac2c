namespace OrleansTrader.Runtime.Tests.Grains;

public interface ITimerGrain : IGrainWithStringKey
{
    Task StartTimer(TimeSpan dueTime, TimeSpan period, bool interleave, bool gated);

    /// <summary>A timer whose ticks count as activity only when <paramref name="keepAlive"/> is true.</summary>
    Task StartKeepAliveTimer(TimeSpan dueTime, TimeSpan period, bool keepAlive);

    /// <summary>A timer whose ticks leave a callback on their cancellation token that throws when the timer is stopped.</summary>
    Task StartTimerWithThrowingCancellationCallback(TimeSpan dueTime, TimeSpan period);

    /// <summary>A timer whose first tick calls Change(<paramref name="newDueTime"/>, <paramref name="newPeriod"/>) on itself.</summary>
    Task StartTimerThatChangesItself(TimeSpan dueTime, TimeSpan period, TimeSpan newDueTime, TimeSpan newPeriod);

    /// <summary>Changes the last timer started; interleaves, so it also runs while a tick runs.</summary>
    [AlwaysInterleave]
    Task ChangeTimer(TimeSpan dueTime, TimeSpan period);

    Task<Guid> GetActivationId();

    Task Block(string callId);

    [AlwaysInterleave]
    Task<IReadOnlyList<string>> GetLog();

    Task Deactivate();

    /// <summary>A plain request: it runs only after any running tick's turn has ended.</summary>
    Task Ping();
}
