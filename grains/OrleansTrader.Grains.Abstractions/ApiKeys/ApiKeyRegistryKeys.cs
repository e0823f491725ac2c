namespace OrleansTrader.Grains.Abstractions;

public static class ApiKeyRegistryKeys
{
    /// <summary>The key of the one registry grain that holds every API key of the cluster.</summary>
    public const string Default = "default";
}
