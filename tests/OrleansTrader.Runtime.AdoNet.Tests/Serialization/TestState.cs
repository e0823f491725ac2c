namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed record TestState(string Name, decimal Amount, long Count);
