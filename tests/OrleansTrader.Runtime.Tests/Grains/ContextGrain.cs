namespace OrleansTrader.Runtime.Tests.Grains;

public sealed class ContextGrain : Grain, IContextGrain
{
    public async Task<IReadOnlyList<string?>> Flow(string nextKey)
    {
        var user = RequestContext.Get("user") as string;
        RequestContext.Set("fromA", "a");
        var inner = await GrainFactory.GetGrain<IContextGrain>(nextKey).Inner();
        return [user, inner[0], inner[1], RequestContext.Get("fromB") as string];
    }

    public Task<IReadOnlyList<string?>> Inner()
    {
        IReadOnlyList<string?> seen = [RequestContext.Get("user") as string, RequestContext.Get("fromA") as string];
        RequestContext.Set("fromB", "b");
        return Task.FromResult(seen);
    }
}
