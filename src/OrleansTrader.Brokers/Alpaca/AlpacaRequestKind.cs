namespace OrleansTrader.Brokers.Alpaca;

/// <summary>Decides retries and what an ambiguous failure means.</summary>
internal enum AlpacaRequestKind
{
    /// <summary>GET: retried; a failure changed nothing at the venue.</summary>
    Read,

    /// <summary>DELETE of an order or of all orders: safe to repeat, so retried; a final failure is ambiguous.</summary>
    IdempotentWrite,

    /// <summary>POST/PATCH of an order, or DELETE of a position (it places an order): never retried; an ambiguous failure is resolved by lookup or reported.</summary>
    Submit,

    /// <summary>
    /// GET that resolves a submit or replace whose answer was lost or refused: not retried. The account awaits the submit in
    /// its turn, and a failed look-up leaves the order in flight for reconciliation to look again.
    /// </summary>
    Resolve,
}
