namespace OrleansTrader.Runtime;

/// <summary>On a grain interface method returning Task or ValueTask: the caller's task completes as soon as the message is sent.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class OneWayAttribute : Attribute
{
}
