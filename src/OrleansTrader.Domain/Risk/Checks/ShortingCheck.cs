using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>A sell beyond the long position (net of other open sells) is a short sale: needs a margin account, a
/// shortable instrument and limits that allow it.</summary>
public sealed class ShortingCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (request.Side != Orders.OrderSide.Sell)
        {
            return null;
        }

        var opening = context.OpeningQuantity(request.Quantity);
        if (opening == 0m)
        {
            return null;
        }

        var reason = context.Account.AccountType == AccountType.Cash ? "cash accounts cannot sell short"
            : !context.Instrument.Shortable ? $"{request.Symbol} is not shortable"
            : !context.Limits.AllowShortSelling ? "the account's limits forbid short selling"
            : null;
        if (reason is null)
        {
            return null;
        }

        var closable = request.Quantity - opening;
        return RiskDecision.Deny(RiskReasonCodes.ShortingNotAllowed, $"This sell would open a short of {opening}: {reason}.",
            closable > 0m ? context.AlignDown(closable) : null);
    }
}
