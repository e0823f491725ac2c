namespace OrleansTrader.Runtime;

/// <summary>Maps a grain to the silo of its single activation. The cluster version fences entries with an epoch.</summary>
public interface IGrainDirectory
{
    ValueTask<GrainAddress?> LookupAsync(GrainId grainId);

    /// <summary>Registers the address unless another exists; returns the address that won.</summary>
    ValueTask<GrainAddress> RegisterAsync(GrainAddress address);

    ValueTask UnregisterAsync(GrainAddress address);
}
