namespace OrleansTrader.Runtime.Tests.Grains;

public interface ITimerGrain : IGrainWithStringKey
{
    Task StartTimer(TimeSpan dueTime, TimeSpan period, bool interleave, bool gated);

    /// <summary>A timer whose ticks count as activity only when <paramref name="keepAlive"/> is true.</summary>
    Task StartKeepAliveTimer(TimeSpan dueTime, TimeSpan period, bool keepAlive);

    Task<Guid> GetActivationId();

    Task Block(string callId);

    [AlwaysInterleave]
    Task<IReadOnlyList<string>> GetLog();

    Task Deactivate();

    /// <summary>A plain request: it runs only after any running tick's turn has ended.</summary>
    Task Ping();
}
