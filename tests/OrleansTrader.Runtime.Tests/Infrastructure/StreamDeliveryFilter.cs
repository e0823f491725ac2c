namespace OrleansTrader.Runtime.Tests;

/// <summary>Logs every stream delivery attempt a grain receives under "{key}/stream-calls", so tests can wait for retries.</summary>
public sealed class StreamDeliveryFilter(TestProbe probe) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.InterfaceName == "stream")
        {
            probe.LogAndNotify(context.TargetId.Key + "/stream-calls", context.MethodName);
        }

        return context.Invoke();
    }
}
