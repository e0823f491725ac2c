namespace OrleansTrader.Runtime;

/// <summary>On a grain interface method: the call does not change state, so it may interleave with other read-only calls (only).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class ReadOnlyAttribute : Attribute
{
}
