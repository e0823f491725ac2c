namespace OrleansTrader.Grains.Abstractions;

public static class ApiKeyRegistryKeys
{
    /// <summary>The key of the one registry grain that holds every API key of the cluster.</summary>
    public const string Default = "default";

    /// <summary>
    /// <see cref="ApiKeyRecord.CreatedBy"/> of the keys the silo stores at start. The registry never forgets such a key once
    /// revoked: the configured one has a fixed id, and forgetting it would store it again, active, at the next start.
    /// </summary>
    public const string BootstrapCreator = "bootstrap";
}
