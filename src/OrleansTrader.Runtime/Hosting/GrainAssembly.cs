using System.Reflection;

namespace OrleansTrader.Runtime;

/// <summary>An assembly whose grain classes the silo hosts (registered by AddGrains).</summary>
internal sealed record GrainAssembly(Assembly Assembly);
