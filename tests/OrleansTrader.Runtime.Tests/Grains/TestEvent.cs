namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>A stream event; Kind "poison" always fails, "flaky" fails twice, "block" waits for a gate.</summary>
public sealed record TestEvent(int Number, string Kind = "ok");
