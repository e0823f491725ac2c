using OrleansTrader.Domain;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>
/// Alpaca's documented order rules that are stricter than the domain's (<see cref="OrderValidator"/>, which the paper
/// exchange keeps). Checked by the account before anything is reserved or sent: Alpaca refuses such an order with a 422,
/// which reached the user as an order rejected after the submit, with Alpaca's message and no reason code of its own.
/// </summary>
public static class AlpacaOrderRules
{
    /// <summary>Alpaca's <c>extended_hours</c> works only with type limit and time_in_force day; the domain also allows GTC.</summary>
    public const string ExtendedHoursDayOnly = "EXTENDED_HOURS_DAY_ONLY";

    public static DomainError? Check(OrderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ExtendedHours && request.TimeInForce != TimeInForce.Day)
        {
            return new DomainError(ExtendedHoursDayOnly,
                $"Alpaca takes extended-hours orders only as limit DAY orders, not {request.TimeInForce}: place it as DAY, or without extended hours.",
                "timeInForce");
        }

        return null;
    }
}
