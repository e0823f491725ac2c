using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Domain.Fills;

/// <summary>
/// The order and the account after one execution. When <see cref="IsDuplicate"/> is true both are returned unchanged
/// and <see cref="PositionFill"/> is null.
/// </summary>
public sealed record AppliedExecution(Order Order, AccountLedger Ledger, PositionFill? PositionFill, bool IsDuplicate);
