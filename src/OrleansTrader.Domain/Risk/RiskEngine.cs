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
    private readonly IRiskCheck[] _checks;

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

        // A plain loop rather than a closure per check: this runs for every order.
        foreach (var check in _checks)
        {
            if (Run(check, context) is { } denial)
            {
                return denial;
            }
        }

        try
        {
            var price = context.ReferencePrice;
            var fee = context.EstimatedFee(input.Request.Quantity);
            return new RiskDecision
            {
                Approved = true,
                ReasonCode = RiskReasonCodes.Approved,
                Message = "Approved.",
                ReferencePrice = price,
                EstimatedFee = fee,
                RequiredReservation = context.RequiredReservation(input.Request.Quantity),
            };
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return Failed(exception, null);
        }
    }

    /// <summary>
    /// One check alone, failing closed as <see cref="Evaluate"/> does: a rule applied again to an order admitted already
    /// (the trading state changed before it was sent), without counting the order a second time against the other rules
    /// (the submit rate). Null when it passes.
    /// </summary>
    public static RiskDecision? Recheck(IRiskCheck check, RiskInput input)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(input);
        return Run(check, new RiskContext(input));
    }

    /// <summary>One check, failing closed: what it throws denies the order.</summary>
    private static RiskDecision? Run(IRiskCheck check, RiskContext context)
    {
        try
        {
            return check.Check(context);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return Failed(exception, check);
        }
    }

    /// <summary>Fail closed: whatever goes wrong inside a check denies the order, with the reason kept for the audit.</summary>
    private static RiskDecision Failed(Exception exception, IRiskCheck? source) => exception is RiskInputMissingException missing
        ? RiskDecision.Deny(missing.ReasonCode, missing.Message)
        : RiskDecision.Deny(RiskReasonCodes.RiskCheckFailed,
            $"Risk check {source?.GetType().Name ?? "approval"} failed: {exception.GetType().Name}: {exception.Message}");
}
