using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Domain.Fills;

/// <summary>
/// Applies an execution to its order and its account together: the order de-duplicates by execution id and refuses
/// overfills first, and only an execution the order accepted reaches positions and cash. Either both change or
/// neither does.
/// </summary>
public static class ExecutionApplier
{
    public static Result<AppliedExecution> Apply(Order order, AccountLedger ledger, Execution execution)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(execution);
        var applied = order.ApplyFill(execution);
        if (!applied.IsSuccess)
        {
            return Result.Fail<AppliedExecution>(applied.Error!);
        }

        var fill = applied.Value!;
        if (fill.IsDuplicate)
        {
            return Result.Ok(new AppliedExecution(order, ledger, null, IsDuplicate: true));
        }

        var ledgerFill = ledger.ApplyFill(execution);
        var nextLedger = fill.Order.Status.IsFinal() ? ledgerFill.Ledger.Release(order.OrderId) : ledgerFill.Ledger;
        return Result.Ok(new AppliedExecution(fill.Order, nextLedger, ledgerFill.Fill, IsDuplicate: false));
    }
}
