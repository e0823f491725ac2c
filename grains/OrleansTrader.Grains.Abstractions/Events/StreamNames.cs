namespace OrleansTrader.Grains.Abstractions;

/// <summary>Stream providers and namespaces shared by grains, the silo and the gateway.</summary>
public static class StreamNames
{
    /// <summary>Bounded, best-effort provider (ticks, bars, account events, breaker notices).</summary>
    public const string MemoryProvider = "memory";

    /// <summary>Durable provider (fills).</summary>
    public const string DurableProvider = "durable";

    /// <summary>Namespace of <see cref="AccountEvent"/> streams, keyed by account id (memory provider).</summary>
    public const string AccountEvents = "account-events";

    /// <summary>Namespace of broker execution reports, keyed by account id (durable provider).</summary>
    public const string Fills = "fills";

    /// <summary>Namespace of validated market ticks (<see cref="MarketTick"/>), keyed by symbol (memory provider).</summary>
    public const string Ticks = "ticks";

    /// <summary>Namespace of completed bars (<see cref="Domain.Market.Bar"/>), keyed by symbol (memory provider).</summary>
    public const string Bars = "bars";

    /// <summary>Namespace of completed one-second bars, keyed by symbol (memory provider).</summary>
    public const string SecondBars = "bars-1s";
}
