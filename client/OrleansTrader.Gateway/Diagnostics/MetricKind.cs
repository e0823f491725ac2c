namespace OrleansTrader.Gateway.Diagnostics;

internal enum MetricKind
{
    /// <summary>Summed increments (Counter).</summary>
    Counter,

    /// <summary>Summed increments that may go down (UpDownCounter).</summary>
    Sum,

    /// <summary>The last observed value (gauges and observable instruments, which report totals).</summary>
    Gauge,

    /// <summary>Cumulative observable counter: the last observed total.</summary>
    ObservedCounter,

    Histogram,
}
