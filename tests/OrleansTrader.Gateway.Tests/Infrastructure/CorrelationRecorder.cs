using System.Collections.Concurrent;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Tests.Infrastructure;

/// <summary>A grain call filter that records the correlation id each grain call sees in its RequestContext.</summary>
public sealed class CorrelationRecorder : IIncomingGrainCallFilter
{
    private readonly ConcurrentQueue<(string Call, string CorrelationId)> _calls = new();

    public IReadOnlyList<(string Call, string CorrelationId)> Calls => [.. _calls];

    public Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (RequestContext.Get(RequestContextKeys.CorrelationId) is string id && _calls.Count < 100_000)
        {
            _calls.Enqueue(($"{context.InterfaceName}.{context.MethodName}", id));
        }

        return context.Invoke();
    }
}
