using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Fills;

/// <summary>
/// The order after an execution. <see cref="IsDuplicate"/> means the execution id was already applied: the order is
/// unchanged and the caller must not touch positions or cash again.
/// </summary>
public sealed record FillApplication(Order Order, bool IsDuplicate);
