namespace OrleansTrader.Domain.Breaker;

/// <summary>The account's (or the global kill switch's) trading state, ordered by severity.</summary>
public enum TradingState
{
    Active = 0,

    /// <summary>Only orders that reduce an existing position are allowed.</summary>
    Reducing = 1,

    /// <summary>Nothing but cancels.</summary>
    Halted = 2,
}
