namespace OrleansTrader.Domain.Orders;

public enum TimeInForce
{
    /// <summary>Expires at the close of the regular session it was accepted in.</summary>
    Day,

    /// <summary>Good till canceled.</summary>
    Gtc,

    /// <summary>Immediate or cancel: fill what can fill now, cancel the rest.</summary>
    Ioc,

    /// <summary>Fill or kill: fill all now or nothing.</summary>
    Fok,

    /// <summary>At the opening auction only.</summary>
    Opg,

    /// <summary>At the closing auction only.</summary>
    Cls,
}
