namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>Calls that let tests observe scheduling: each Enter logs, signals "entered", waits for its gate, logs again.</summary>
public interface IProbeOperations : IGrainWithStringKey
{
    Task<Guid> GetActivationId();

    Task Enter(string callId);

    [ReadOnly]
    Task ReadEnter(string callId);

    [AlwaysInterleave]
    Task InterleaveEnter(string callId);

    [AlwaysInterleave]
    Task<IReadOnlyList<string>> GetLog();

    /// <summary>A read that may also interleave with anything (both attributes, as Orleans allows).</summary>
    [ReadOnly]
    [AlwaysInterleave]
    Task<int> ReadInterleaved();

    [OneWay]
    Task FireAndForget(string callId);

    Task Throw(string message);

    Task<string?> GetRequestContext(string key);

    Task Deactivate();

    /// <summary>Asks for deactivation, then enters as <see cref="Enter"/> does (the turn goes on after the request).</summary>
    Task DeactivateThenEnter(string callId);

    Task KeepAliveFor(TimeSpan timeSpan);

    ValueTask<int> Echo(int value);

    ValueTask Nothing();
}
