namespace OrleansTrader.Runtime;

/// <summary>The state of one grain as a storage provider reads and writes it.</summary>
public interface IGrainState<T>
{
    T State { get; set; }

    /// <summary>The stored version (an integer, as text); null when no record exists. Writes are conditional on it.</summary>
    string? ETag { get; set; }

    bool RecordExists { get; set; }
}
