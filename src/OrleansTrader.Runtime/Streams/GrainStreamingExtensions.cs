namespace OrleansTrader.Runtime;

/// <summary>this.GetStreamProvider(name) inside grains and client.GetStreamProvider(name) outside, as in Orleans.</summary>
public static class GrainStreamingExtensions
{
    public static IStreamProvider GetStreamProvider(this Grain grain, string name)
    {
        ArgumentNullException.ThrowIfNull(grain);
        return grain.Activation.Runtime.Streams.Get(name);
    }

    public static IStreamProvider GetStreamProvider(this IClusterClient client, string name)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client is ClusterClient local
            ? local.Runtime.Streams.Get(name)
            : throw new ArgumentException("Streams are available through the silo's own cluster client.", nameof(client));
    }
}
