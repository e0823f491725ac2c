namespace OrleansTrader.Runtime;

/// <summary>A conditional write found another version in storage: someone else wrote this grain's state.</summary>
public sealed class InconsistentStateException : Exception
{
    public InconsistentStateException()
    {
    }

    public InconsistentStateException(string message) : base(message)
    {
    }

    public InconsistentStateException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public InconsistentStateException(string message, string? storedETag, string? currentETag) : base(message)
    {
        StoredETag = storedETag;
        CurrentETag = currentETag;
    }

    /// <summary>The version found in storage (null when there was no record).</summary>
    public string? StoredETag { get; }

    /// <summary>The version the writer believed was current.</summary>
    public string? CurrentETag { get; }
}
