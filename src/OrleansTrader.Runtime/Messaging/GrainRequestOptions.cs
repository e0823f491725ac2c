namespace OrleansTrader.Runtime;

/// <summary>How a request may be scheduled; emitted by the code generator from the interface method's attributes.</summary>
[Flags]
public enum GrainRequestOptions
{
    None = 0,
    ReadOnly = 1,
    AlwaysInterleave = 2,
    OneWay = 4,

    /// <summary>Belongs to one activation (a timer tick): dropped rather than forwarded when that activation goes away.</summary>
    ActivationBound = 8,

    /// <summary>Does not count as activity for idle collection (a timer without KeepAlive).</summary>
    NoKeepAlive = 16,
}
