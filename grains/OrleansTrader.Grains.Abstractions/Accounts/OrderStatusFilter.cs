namespace OrleansTrader.Grains.Abstractions;

public enum OrderStatusFilter
{
    All,

    /// <summary>Orders that are still working (not final).</summary>
    Open,

    /// <summary>Filled, canceled, replaced, rejected, denied or expired orders.</summary>
    Closed,
}
