using OrleansTrader.Domain.Instruments;

namespace OrleansTrader.Domain.Orders;

/// <summary>
/// Shape rules for an order request against its instrument. Returns every violation (empty means valid); each carries
/// a code from <see cref="OrderErrorCodes"/>. The rules follow Alpaca's order API: fractional quantities only on market
/// or limit DAY orders; OPG/CLS only for market and limit; trailing stops DAY/GTC; extended hours only for limit DAY/GTC;
/// bracket = entry + take-profit limit + stop-loss stop; OCO = take-profit limit + stop-loss stop on an exit;
/// OTO = entry + exactly one exit.
/// </summary>
public static class OrderValidator
{
    public const int MaxClientOrderIdLength = 128;

    public static IReadOnlyList<DomainError> Validate(OrderRequest request, Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(instrument);
        var errors = new List<DomainError>();
        if (string.IsNullOrWhiteSpace(request.ClientOrderId) || request.ClientOrderId.Length > MaxClientOrderIdLength)
        {
            errors.Add(Error(OrderErrorCodes.ClientOrderIdInvalid, $"Client order id must be 1 to {MaxClientOrderIdLength} characters."));
        }

        if (!SymbolRules.IsValid(request.Symbol))
        {
            errors.Add(Error(OrderErrorCodes.SymbolInvalid, $"Symbol '{request.Symbol}' is not valid."));
        }
        else if (request.Symbol != instrument.Symbol)
        {
            errors.Add(Error(OrderErrorCodes.SymbolMismatch, $"Order symbol {request.Symbol} is not {instrument.Symbol}."));
        }

        errors.AddRange(ValidateQuantity(request, instrument));
        ValidatePriceFields(request, instrument, errors);
        ValidateTimeInForce(request, errors);
        ValidateOrderClass(request, instrument, errors);
        return errors;
    }

    /// <summary>Quantity rules alone (positive, bounds, lot size, fractional), used by the risk engine's QUANTITY_INVALID check.</summary>
    public static IReadOnlyList<DomainError> ValidateQuantity(OrderRequest request, Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(instrument);
        var errors = new List<DomainError>();
        var quantity = request.Quantity;
        if (quantity <= 0m)
        {
            errors.Add(Error(OrderErrorCodes.QuantityNotPositive, "Quantity must be positive."));
            return errors;
        }

        var whole = Money.IsMultipleOf(quantity, instrument.LotSize);
        if (!whole)
        {
            if (!instrument.FractionalAllowed)
            {
                errors.Add(Money.IsMultipleOf(quantity, 1m)
                    ? Error(OrderErrorCodes.QuantityNotLotMultiple, $"Quantity must be a multiple of {instrument.LotSize}.")
                    : Error(OrderErrorCodes.FractionalNotAllowed, $"{instrument.Symbol} does not allow fractional quantities."));
            }
            else if (!Money.IsMultipleOf(quantity, instrument.FractionalIncrement))
            {
                errors.Add(Error(OrderErrorCodes.QuantityNotLotMultiple, $"Quantity must be a multiple of {instrument.FractionalIncrement}."));
            }
            else if (request.Type is not (OrderType.Market or OrderType.Limit) || request.TimeInForce != TimeInForce.Day
                || request.OrderClass != OrderClass.Simple)
            {
                errors.Add(Error(OrderErrorCodes.FractionalOrderShape, "Fractional quantities need a simple market or limit DAY order."));
            }
        }

        var minimum = whole ? instrument.MinQuantity : Math.Min(instrument.MinQuantity, instrument.FractionalIncrement);
        if (quantity < minimum)
        {
            errors.Add(Error(OrderErrorCodes.QuantityBelowMinimum, $"Quantity must be at least {minimum}."));
        }

        if (quantity > instrument.MaxQuantity)
        {
            errors.Add(Error(OrderErrorCodes.QuantityAboveMaximum, $"Quantity must be at most {instrument.MaxQuantity}."));
        }

        return errors;
    }

    private static void ValidatePriceFields(OrderRequest request, Instrument instrument, List<DomainError> errors)
    {
        var needsLimit = request.Type is OrderType.Limit or OrderType.StopLimit;
        var needsStop = request.Type is OrderType.Stop or OrderType.StopLimit;
        var needsTrail = request.Type == OrderType.TrailingStop;
        CheckPresence(request.LimitPrice, needsLimit, OrderErrorCodes.LimitPriceRequired, OrderErrorCodes.LimitPriceNotAllowed, "limit price", errors);
        CheckPresence(request.StopPrice, needsStop, OrderErrorCodes.StopPriceRequired, OrderErrorCodes.StopPriceNotAllowed, "stop price", errors);
        if (needsTrail)
        {
            if (request.TrailPrice.HasValue == request.TrailPercent.HasValue)
            {
                errors.Add(Error(OrderErrorCodes.TrailRequired, "A trailing stop needs exactly one of trail price or trail percent."));
            }
        }
        else if (request.TrailPrice.HasValue || request.TrailPercent.HasValue)
        {
            errors.Add(Error(OrderErrorCodes.TrailNotAllowed, "Only trailing stops take a trail."));
        }

        CheckPrice(request.LimitPrice, instrument, "limit price", errors);
        CheckPrice(request.StopPrice, instrument, "stop price", errors);
        CheckPrice(request.TrailPrice, instrument, "trail price", errors);
        if (request.TrailPercent is { } percent && (percent <= 0m || percent >= 100m))
        {
            errors.Add(Error(OrderErrorCodes.TrailPercentOutOfRange, "Trail percent must be in (0, 100)."));
        }
    }

    private static void ValidateTimeInForce(OrderRequest request, List<DomainError> errors)
    {
        var tif = request.TimeInForce;
        if (tif is TimeInForce.Opg or TimeInForce.Cls && request.Type is not (OrderType.Market or OrderType.Limit))
        {
            errors.Add(Error(OrderErrorCodes.TimeInForceNotAllowed, $"{tif} is only for market and limit orders."));
        }

        if (request.Type == OrderType.TrailingStop && tif is not (TimeInForce.Day or TimeInForce.Gtc))
        {
            errors.Add(Error(OrderErrorCodes.TimeInForceNotAllowed, "Trailing stops are DAY or GTC."));
        }

        if (request.OrderClass != OrderClass.Simple && tif is not (TimeInForce.Day or TimeInForce.Gtc))
        {
            errors.Add(Error(OrderErrorCodes.TimeInForceNotAllowed, $"{request.OrderClass} orders are DAY or GTC."));
        }

        if (request.ExtendedHours && (request.Type != OrderType.Limit || tif is not (TimeInForce.Day or TimeInForce.Gtc)
            || request.OrderClass != OrderClass.Simple))
        {
            errors.Add(Error(OrderErrorCodes.ExtendedHoursNotAllowed, "Extended hours need a simple limit DAY or GTC order."));
        }
    }

    private static void ValidateOrderClass(OrderRequest request, Instrument instrument, List<DomainError> errors)
    {
        var takeProfit = request.TakeProfit;
        var stopLoss = request.StopLoss;
        switch (request.OrderClass)
        {
            case OrderClass.Simple:
                if (takeProfit is not null || stopLoss is not null)
                {
                    errors.Add(Error(OrderErrorCodes.ExitLegsInvalid, "Simple orders take no exit legs."));
                }

                return;
            case OrderClass.Bracket:
                if (takeProfit is null || stopLoss is null)
                {
                    errors.Add(Error(OrderErrorCodes.ExitLegsInvalid, "A bracket needs both a take-profit and a stop-loss."));
                    return;
                }

                if (request.Type is OrderType.TrailingStop)
                {
                    errors.Add(Error(OrderErrorCodes.OrderClassNotAllowed, "A bracket entry cannot be a trailing stop."));
                }

                break;
            case OrderClass.Oco:
                if (takeProfit is null || stopLoss is null)
                {
                    errors.Add(Error(OrderErrorCodes.ExitLegsInvalid, "An OCO needs both a take-profit and a stop-loss."));
                    return;
                }

                if (request.Type != OrderType.Limit)
                {
                    errors.Add(Error(OrderErrorCodes.OrderClassNotAllowed, "An OCO is a limit order (its take-profit leg)."));
                }

                break;
            case OrderClass.Oto:
                if ((takeProfit is null) == (stopLoss is null))
                {
                    errors.Add(Error(OrderErrorCodes.ExitLegsInvalid, "An OTO needs exactly one exit leg."));
                    return;
                }

                break;
            default:
                errors.Add(Error(OrderErrorCodes.OrderClassNotAllowed, $"Unknown order class {request.OrderClass}."));
                return;
        }

        ValidateExitLegs(request, instrument, errors);
    }

    private static void ValidateExitLegs(OrderRequest request, Instrument instrument, List<DomainError> errors)
    {
        if (request.TakeProfit is { } takeProfit)
        {
            if (takeProfit.LimitPrice is null || takeProfit.StopPrice is not null)
            {
                errors.Add(Error(OrderErrorCodes.ExitLegsInvalid, "A take-profit has a limit price and no stop price."));
            }

            CheckPrice(takeProfit.LimitPrice, instrument, "take-profit limit price", errors);
        }

        if (request.StopLoss is { } stopLoss)
        {
            if (stopLoss.StopPrice is null)
            {
                errors.Add(Error(OrderErrorCodes.ExitLegsInvalid, "A stop-loss has a stop price."));
            }

            CheckPrice(stopLoss.StopPrice, instrument, "stop-loss stop price", errors);
            CheckPrice(stopLoss.LimitPrice, instrument, "stop-loss limit price", errors);
        }

        // Exits that sell (closing a long) take profit above the stop; exits that buy (covering a short) below it.
        // The exits of a bracket or OTO trade against the entry; an OCO is itself the exit.
        if (request.TakeProfit?.LimitPrice is { } target && request.StopLoss?.StopPrice is { } stop)
        {
            var exitSide = request.OrderClass == OrderClass.Oco ? request.Side
                : request.Side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
            var ordered = exitSide == OrderSide.Sell ? target > stop : target < stop;
            if (!ordered)
            {
                errors.Add(Error(OrderErrorCodes.ExitLegsInvalid, "The take-profit must be on the profitable side of the stop-loss."));
            }
        }
    }

    private static void CheckPresence(decimal? value, bool required, string requiredCode, string notAllowedCode, string name,
        List<DomainError> errors)
    {
        if (required && value is null)
        {
            errors.Add(Error(requiredCode, $"This order type needs a {name}."));
        }
        else if (!required && value is not null)
        {
            errors.Add(Error(notAllowedCode, $"This order type takes no {name}."));
        }
    }

    private static void CheckPrice(decimal? price, Instrument instrument, string name, List<DomainError> errors)
    {
        if (price is not { } value)
        {
            return;
        }

        if (value <= 0m)
        {
            errors.Add(Error(OrderErrorCodes.PriceNotPositive, $"The {name} must be positive."));
            return;
        }

        if (value > instrument.MaxPrice)
        {
            errors.Add(Error(OrderErrorCodes.PriceAboveMaximum, $"The {name} {value} is above the maximum {instrument.MaxPrice}."));
            return;
        }

        var tick = instrument.TickSizeFor(value);
        if (!Money.IsMultipleOf(value, tick))
        {
            errors.Add(Error(OrderErrorCodes.PriceNotTickAligned, $"The {name} {value} is not a multiple of the tick {tick}."));
        }
    }

    private static DomainError Error(string code, string message) => new(code, message);
}
