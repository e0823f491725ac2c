namespace OrleansTrader.Runtime;

/// <summary>
/// On a grain class: every stream in <see cref="Namespace"/> is delivered to the grain whose key is the stream key,
/// activating it on the first event. The grain subscribes in OnActivateAsync (GetStream + SubscribeAsync), as in Orleans.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
public sealed class ImplicitStreamSubscriptionAttribute(string streamNamespace) : Attribute
{
    public string Namespace { get; } = streamNamespace;
}
