namespace OrleansTrader.Brokers;

/// <summary>A position as the venue reports it. Quantity is signed: negative is short.</summary>
public sealed record BrokerPosition(string Symbol, decimal Quantity, decimal AverageEntryPrice);
