namespace OrleansTrader.Domain.Orders;

/// <summary>A child exit of a bracket, OCO or OTO order: a take-profit limit, or a stop (with optional limit) loss.</summary>
public sealed record ExitLeg(decimal? LimitPrice = null, decimal? StopPrice = null);
