namespace OrleansTrader.Brokers.Tests.Fakes;

public enum FakeFaultKind
{
    /// <summary>Answer with a status code (and Retry-After for 429) without processing.</summary>
    Status,

    /// <summary>Cut the connection without processing.</summary>
    Drop,

    /// <summary>Wait, then process and answer (the order appears late).</summary>
    DelayBeforeProcessing,

    /// <summary>Process at once, then wait before answering (the order exists while the client waits).</summary>
    DelayAfterProcessing,

    /// <summary>Process, then cut the connection before answering.</summary>
    AcceptThenDrop,

    /// <summary>Process, then answer 200 with a body that is not JSON.</summary>
    AcceptThenGarbage,
}
