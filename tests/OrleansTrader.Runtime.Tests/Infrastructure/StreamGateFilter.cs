namespace OrleansTrader.Runtime.Tests;

/// <summary>
/// Holds stream deliveries to a grain whose flag "{key}/hold-stream" is set: the first one signals "{key}/stream-held"
/// and every one waits for "{key}/stream-gate". A test can so keep a consumer behind without changing its grain.
/// </summary>
public sealed class StreamGateFilter(TestProbe probe) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = context.TargetId.Key;
        if (context.InterfaceName == "stream" && probe.GetFlag(key + "/hold-stream"))
        {
            probe.Signal(key + "/stream-held");
            await probe.WaitAsync(key + "/stream-gate");
        }

        await context.Invoke();
    }
}
