namespace OrleansTrader.Runtime;

/// <summary>Requests to this grain class may interleave at awaits: a new request can start while another awaits.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class ReentrantAttribute : Attribute
{
}
