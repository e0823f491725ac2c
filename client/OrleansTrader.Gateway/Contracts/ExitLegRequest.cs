namespace OrleansTrader.Gateway.Contracts;

public sealed record ExitLegRequest
{
    public decimal? LimitPrice { get; init; }

    public decimal? StopPrice { get; init; }
}
