namespace OrleansTrader.Runtime;

/// <summary>A type declared immutable with AddImmutableType: the runtime may hand one instance to several consumers.</summary>
internal sealed record ImmutableTypeRegistration(Type Type);
