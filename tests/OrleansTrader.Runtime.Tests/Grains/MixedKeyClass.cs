namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>Not a grain (it would stop every test silo from starting): only the shape the key-kind check must refuse.</summary>
public sealed class MixedKeyClass : IMixedGuidKey, IMixedStringKey
{
}
