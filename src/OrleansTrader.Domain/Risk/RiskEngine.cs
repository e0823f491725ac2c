using OrleansTrader.Domain.Risk.Checks;

namespace OrleansTrader.Domain.Risk;

/// <summary>
/// Pre-trade risk: runs every check in order and returns the first denial. Fails closed: invalid limits, a missing
/// input or an exception inside a check denies the order; nothing is defaulted. The order matters: state and
/// instrument first, then order shape, then market data, then account limits, buying power last (its maximum
/// quantity is then the binding one).
/// </summary>
public sealed class RiskEngine
{
    private readonly IReadOnlyList<IRiskCheck> _checks;

    public RiskEngine(IEnumerable<IRiskCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        _checks = [.. checks];
    }

    public static IReadOnlyList<IRiskCheck> StandardChecks { get; } =
    [
        new TradingStateCheck(),
        new InstrumentCheck(),
        new QuantityCheck(),
        new OrderShapeCheck(),
        new ReduceOnlyCheck(),
        new MarketHoursCheck(),
        new QuoteCheck(),
        new PriceBandCheck(),
        new OrderNotionalCheck(),
        new ShortingCheck(),
        new PositionLimitCheck(),
        new OpenOrdersCheck(),
        new RateLimitCheck(),
        new BuyingPowerCheck(),
    ];

    public static RiskEngine Default { get; } = new(StandardChecks);

    public RiskDecision Evaluate(RiskInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Limits is null)
        {
            return RiskDecision.Deny(RiskReasonCodes.InputMissing, "Missing risk limits.");
        }

        var limitErrors = input.Limits.Validate();
        if (limitErrors.Count > 0)
        {
            return RiskDecision.Deny(RiskReasonCodes.LimitsInvalid, string.Join(" ", limitErrors.Select(e => e.Message)));
        }

        var context = new RiskContext(input);
        foreach (var check in _checks)
        {
            var denial = Run(() => check.Check(context), check);
            if (denial is not null)
            {
                return denial;
            }
        }

        RiskDecision? approval = null;
        var failure = Run(() =>
        {
            var price = context.ReferencePrice;
            var fee = context.EstimatedFee(input.Request.Quantity);
            approval = new RiskDecision
            {
                Approved = true,
                ReasonCode = RiskReasonCodes.Approved,
                Message = "Approved.",
                ReferencePrice = price,
                EstimatedFee = fee,
                RequiredReservation = context.RequiredReservation(input.Request.Quantity),
            };
            return null;
        }, null);
        return failure ?? approval!;
    }

    private static RiskDecision? Run(Func<RiskDecision?> check, IRiskCheck? source)
    {
        // Fail closed: whatever goes wrong inside a check denies the order, with the reason kept for the audit.
        try
        {
            return check();
        }
        catch (RiskInputMissingException missing)
        {
            return RiskDecision.Deny(missing.ReasonCode, missing.Message);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return RiskDecision.Deny(RiskReasonCodes.RiskCheckFailed,
                $"Risk check {source?.GetType().Name ?? "approval"} failed: {exception.GetType().Name}: {exception.Message}");
        }
    }
}
