namespace OrleansTrader.Runtime.Tests.Grains;

public interface ITimerGrain : IGrainWithStringKey
{
    Task StartTimer(TimeSpan dueTime, TimeSpan period, bool interleave, bool gated);

    Task Block(string callId);

    [AlwaysInterleave]
    Task<IReadOnlyList<string>> GetLog();

    Task Deactivate();

    /// <summary>A plain request: it runs only after any running tick's turn has ended.</summary>
    Task Ping();
}
