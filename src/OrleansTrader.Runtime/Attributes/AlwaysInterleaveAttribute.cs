namespace OrleansTrader.Runtime;

/// <summary>On a grain interface method: the call may interleave with any other request, even on a non-reentrant grain.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class AlwaysInterleaveAttribute : Attribute
{
}
