namespace OrleansTrader.Domain.Portfolio;

/// <summary>The ledger after a fill, the position-level result, and the cash change (signed; fees included).</summary>
public sealed record LedgerFill(AccountLedger Ledger, PositionFill Fill, decimal CashChange);
