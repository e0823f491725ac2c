namespace OrleansTrader.Runtime.Tests;

/// <summary>Logs calls to grains whose key starts with "filtered-" and rewrites results of FilterGrain.Echo.</summary>
public sealed class RecordingFilter(TestProbe probe) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.TargetId.Key.StartsWith("filtered-", StringComparison.Ordinal))
        {
            await context.Invoke();
            return;
        }

        probe.Log(context.TargetId.Key, $"before {context.InterfaceName}.{context.MethodName}");
        probe.Log(context.TargetId.Key + "/method-id", context.Request.MethodId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await context.Invoke();
        probe.Log(context.TargetId.Key, $"after {context.Result}");
        if (context.Result is string text)
        {
            context.Result = text + " (filtered)";
        }
    }
}
