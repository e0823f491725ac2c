namespace OrleansTrader.Gateway.Contracts;

public sealed record StrategyParametersRequest
{
    [RequiredField]
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
}
