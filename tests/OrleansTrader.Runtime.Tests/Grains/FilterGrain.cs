namespace OrleansTrader.Runtime.Tests.Grains;

public sealed class FilterGrain : Grain, IFilterGrain
{
    public Task<string> Echo(string text) => Task.FromResult(text);

    public Task<string> Join(string request, string _request) => Task.FromResult(request + "+" + _request);
}
