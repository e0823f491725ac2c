namespace OrleansTrader.Runtime.Tests.Grains;

public interface IChainAGrain : IGrainWithStringKey
{
    Task CallBThenBack(string key);

    /// <summary>Calls its own <see cref="Ping"/> (the shortest call cycle).</summary>
    Task CallItself();

    Task Ping();

    /// <summary>Asks for its own deactivation, then calls B, which calls back into <see cref="Notice"/>.</summary>
    Task DeactivateThenCallBack(string key);

    [AlwaysInterleave]
    Task Notice();

    /// <summary>Interleaves, and calls B, which calls back into <see cref="Ping"/>.</summary>
    [AlwaysInterleave]
    Task InterleavedCallBThenBack(string key);

    /// <summary>A read that waits for "{key}/read-gate", then calls B, which calls back into <see cref="Read"/>.</summary>
    [ReadOnly]
    Task<string> ReadThroughB(string key);

    [ReadOnly]
    Task<string> Read();
}
