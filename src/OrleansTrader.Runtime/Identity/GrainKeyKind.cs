namespace OrleansTrader.Runtime;

/// <summary>How a grain class is addressed; decided by the key interface its grain interfaces derive from.</summary>
internal enum GrainKeyKind
{
    String,
    Guid,
    Integer,
}
