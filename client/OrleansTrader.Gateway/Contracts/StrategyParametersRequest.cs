namespace OrleansTrader.Gateway.Contracts;

public sealed record StrategyParametersRequest
{
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
}
