using System.Globalization;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Alpaca.Json;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>Translation between Alpaca's JSON and the venue-neutral records. Decimals are exact invariant strings.</summary>
internal static class AlpacaMapper
{
    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string? Format(decimal? value) => value?.ToString(CultureInfo.InvariantCulture);

    public static decimal ParseDecimal(string? value, string field)
    {
        if (value is null || !decimal.TryParse(value, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var parsed))
        {
            throw new FormatException($"Alpaca sent an invalid or missing number in '{field}'.");
        }

        return parsed;
    }

    public static decimal? ParseOptionalDecimal(string? value, string field) =>
        string.IsNullOrEmpty(value) ? null : ParseDecimal(value, field);

    /// <summary>
    /// The execution id the adapter gives an Alpaca fill: order id and the order's cumulative filled quantity after
    /// the fill. Both the trade_updates event (order.filled_qty) and the FILL activity (cum_qty) carry these two, so
    /// a fill seen live and again in a back-fill gets the same id. Alpaca's own ids differ between the two sources.
    /// </summary>
    public static string ExecutionId(string orderId, decimal cumulativeQuantity) =>
        string.Create(CultureInfo.InvariantCulture, $"{orderId}:{cumulativeQuantity:G29}");

    public static AlpacaNewOrderJson ToJson(OrderRequest request) => new()
    {
        Symbol = request.Symbol,
        Qty = Format(request.Quantity),
        Side = ToJson(request.Side),
        Type = ToJson(request.Type),
        TimeInForce = ToJson(request.TimeInForce),
        LimitPrice = Format(request.LimitPrice),
        StopPrice = Format(request.StopPrice),
        TrailPrice = Format(request.TrailPrice),
        TrailPercent = Format(request.TrailPercent),
        ExtendedHours = request.ExtendedHours,
        ClientOrderId = request.ClientOrderId,
        OrderClass = request.OrderClass == OrderClass.Simple ? null : ToJson(request.OrderClass),
        TakeProfit = request.TakeProfit?.LimitPrice is { } takeProfit ? new AlpacaTakeProfitJson { LimitPrice = Format(takeProfit) } : null,
        StopLoss = request.StopLoss?.StopPrice is { } stop ? new AlpacaStopLossJson { StopPrice = Format(stop), LimitPrice = Format(request.StopLoss.LimitPrice) } : null,
    };

    public static AlpacaReplaceOrderJson ToJson(OrderReplacement replacement) => new()
    {
        Qty = Format(replacement.Quantity),
        TimeInForce = replacement.TimeInForce is { } tif ? ToJson(tif) : null,
        LimitPrice = Format(replacement.LimitPrice),
        StopPrice = Format(replacement.StopPrice),
        Trail = Format(replacement.TrailPrice ?? replacement.TrailPercent),
        ClientOrderId = replacement.ClientOrderId,
    };

    public static string ToJson(OrderSide side) => side == OrderSide.Buy ? "buy" : "sell";

    public static string ToJson(OrderType type) => type switch
    {
        OrderType.Market => "market",
        OrderType.Limit => "limit",
        OrderType.Stop => "stop",
        OrderType.StopLimit => "stop_limit",
        OrderType.TrailingStop => "trailing_stop",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported order type."),
    };

    public static string ToJson(TimeInForce timeInForce) => timeInForce switch
    {
        TimeInForce.Day => "day",
        TimeInForce.Gtc => "gtc",
        TimeInForce.Ioc => "ioc",
        TimeInForce.Fok => "fok",
        TimeInForce.Opg => "opg",
        TimeInForce.Cls => "cls",
        _ => throw new ArgumentOutOfRangeException(nameof(timeInForce), timeInForce, "Unsupported time in force."),
    };

    public static string ToJson(OrderClass orderClass) => orderClass switch
    {
        OrderClass.Simple => "simple",
        OrderClass.Bracket => "bracket",
        OrderClass.Oco => "oco",
        OrderClass.Oto => "oto",
        _ => throw new ArgumentOutOfRangeException(nameof(orderClass), orderClass, "Unsupported order class."),
    };

    public static OrderSide ParseSide(string? side) =>
        SideOf(side) ?? throw new FormatException($"Alpaca sent an unknown side '{side}'.");

    public static OrderType ParseType(string? type) =>
        TypeOf(type) ?? throw new FormatException($"Alpaca sent an unknown order type '{type}'.");

    public static TimeInForce ParseTimeInForce(string? timeInForce) =>
        TimeInForceOf(timeInForce) ?? throw new FormatException($"Alpaca sent an unknown time in force '{timeInForce}'.");

    public static OrderClass ParseOrderClass(string? orderClass) =>
        OrderClassOf(orderClass) ?? throw new FormatException($"Alpaca sent an unknown order class '{orderClass}'.");

    private static OrderSide? SideOf(string? side) => side switch
    {
        "buy" => OrderSide.Buy,
        "sell" or "sell_short" => OrderSide.Sell,
        _ => null,
    };

    private static OrderType? TypeOf(string? type) => type switch
    {
        "market" => OrderType.Market,
        "limit" => OrderType.Limit,
        "stop" => OrderType.Stop,
        "stop_limit" => OrderType.StopLimit,
        "trailing_stop" => OrderType.TrailingStop,
        _ => null,
    };

    private static TimeInForce? TimeInForceOf(string? timeInForce) => timeInForce switch
    {
        "day" => TimeInForce.Day,
        "gtc" => TimeInForce.Gtc,
        "ioc" => TimeInForce.Ioc,
        "fok" => TimeInForce.Fok,
        "opg" => TimeInForce.Opg,
        "cls" => TimeInForce.Cls,
        _ => null,
    };

    private static OrderClass? OrderClassOf(string? orderClass) => orderClass switch
    {
        null or "" or "simple" => OrderClass.Simple,
        "bracket" => OrderClass.Bracket,
        "oco" => OrderClass.Oco,
        "oto" => OrderClass.Oto,
        _ => null,
    };

    /// <summary>
    /// The first order_class, type, time_in_force or side of the order or its legs that is present but not one this adapter
    /// models. A missing value is not "unsupported" but unreadable data: it may be an order of this backend's.
    /// </summary>
    private static (string Field, string Value)? FindUnsupported(AlpacaOrderJson json)
    {
        if (json.OrderClass is { Length: > 0 } orderClass && OrderClassOf(orderClass) is null)
        {
            return ("order_class", orderClass);
        }

        if ((json.Type ?? json.OrderType) is { Length: > 0 } type && TypeOf(type) is null)
        {
            return ("type", type);
        }

        if (json.TimeInForce is { Length: > 0 } timeInForce && TimeInForceOf(timeInForce) is null)
        {
            return ("time_in_force", timeInForce);
        }

        if (json.Side is { Length: > 0 } side && SideOf(side) is null)
        {
            return ("side", side);
        }

        foreach (var leg in json.Legs ?? [])
        {
            if (FindUnsupported(leg) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    public static BrokerOrder ToBrokerOrder(AlpacaOrderJson json, ILogger logger, string? parentOrderId = null)
    {
        var id = json.Id ?? throw new FormatException("Alpaca sent an order without an id.");

        // This backend sends only kinds it models and Alpaca echoes them: an order of another kind was placed by something else.
        if (parentOrderId is null && FindUnsupported(json) is { } unsupported)
        {
            throw new AlpacaUnsupportedOrderException(id, json.ClientOrderId ?? string.Empty, json.Symbol ?? string.Empty, unsupported.Field, unsupported.Value);
        }

        var filled = ParseOptionalDecimal(json.FilledQty, "filled_qty") ?? 0m;
        if (!AlpacaStatusMap.TryMapOrderStatus(json.Status, out var status))
        {
            status = AlpacaStatusMap.UnknownStatusFallback(filled);
            AlpacaLog.UnknownOrderStatus(logger, json.Status ?? "(none)", id, json.ClientOrderId ?? string.Empty, json.Symbol ?? string.Empty, status);
        }

        var created = json.CreatedAt ?? json.SubmittedAt ?? throw new FormatException("Alpaca sent an order without created_at.");
        return new BrokerOrder
        {
            OrderId = id,
            ClientOrderId = json.ClientOrderId ?? string.Empty,
            Symbol = json.Symbol ?? throw new FormatException("Alpaca sent an order without a symbol."),
            Side = ParseSide(json.Side),
            Type = ParseType(json.Type ?? json.OrderType),
            TimeInForce = ParseTimeInForce(json.TimeInForce),
            OrderClass = ParseOrderClass(json.OrderClass),
            Quantity = ParseOptionalDecimal(json.Qty, "qty") ?? 0m,
            FilledQuantity = filled,
            AverageFillPrice = ParseOptionalDecimal(json.FilledAvgPrice, "filled_avg_price"),
            LimitPrice = ParseOptionalDecimal(json.LimitPrice, "limit_price"),
            StopPrice = ParseOptionalDecimal(json.StopPrice, "stop_price"),
            TrailPrice = ParseOptionalDecimal(json.TrailPrice, "trail_price"),
            TrailPercent = ParseOptionalDecimal(json.TrailPercent, "trail_percent"),
            HighWaterMark = ParseOptionalDecimal(json.Hwm, "hwm"),
            Status = status,
            CreatedAt = created,
            UpdatedAt = json.UpdatedAt ?? created,
            ReplacedByOrderId = json.ReplacedBy,
            ReplacesOrderId = json.Replaces,
            ParentOrderId = parentOrderId,
            Legs = json.Legs is { Count: > 0 } legs ? [.. legs.Select(leg => ToBrokerOrder(leg, logger, id))] : [],
            Reason = AlpacaStatusMap.OrderStatuses.ContainsKey(json.Status ?? string.Empty) ? null : $"unknown Alpaca status '{json.Status}'",
        };
    }

    public static BrokerPosition ToBrokerPosition(AlpacaPositionJson json)
    {
        var quantity = Math.Abs(ParseDecimal(json.Qty, "qty"));
        return new BrokerPosition(
            json.Symbol ?? throw new FormatException("Alpaca sent a position without a symbol."),
            json.Side == "short" ? -quantity : quantity,
            ParseDecimal(json.AvgEntryPrice, "avg_entry_price"));
    }

    public static Execution ToExecution(AlpacaFillActivityJson activity, string clientOrderId)
    {
        var orderId = activity.OrderId ?? throw new FormatException("Alpaca sent a FILL activity without order_id.");
        return new Execution
        {
            ExecutionId = ExecutionId(orderId, ParseDecimal(activity.CumQty, "cum_qty")),
            OrderId = orderId,
            ClientOrderId = clientOrderId,
            Symbol = activity.Symbol ?? throw new FormatException("Alpaca sent a FILL activity without a symbol."),
            Side = ParseSide(activity.Side),
            Quantity = ParseDecimal(activity.Qty, "qty"),
            Price = ParseDecimal(activity.Price, "price"),

            // Alpaca equities are commission-free; regulatory fees post as separate activities, not on the fill.
            Fee = ParseOptionalDecimal(activity.Fee, "fee") ?? 0m,
            Timestamp = activity.TransactionTime ?? throw new FormatException("Alpaca sent a FILL activity without transaction_time."),
        };
    }

    public static Execution ToExecution(AlpacaTradeUpdateJson update, BrokerOrder order, DateTimeOffset timestamp) => new()
    {
        ExecutionId = ExecutionId(order.OrderId, order.FilledQuantity),
        OrderId = order.OrderId,
        ClientOrderId = order.ClientOrderId,
        Symbol = order.Symbol,
        Side = order.Side,
        Quantity = ParseDecimal(update.Qty, "qty"),
        Price = ParseDecimal(update.Price, "price"),
        Fee = 0m,
        Timestamp = timestamp,
    };

    public static AlpacaAccount ToAccount(AlpacaAccountJson json) => new(
        json.Status ?? string.Empty,
        json.Currency ?? string.Empty,
        ParseDecimal(json.Cash, "cash"),
        ParseDecimal(json.BuyingPower, "buying_power"),
        ParseDecimal(json.Equity, "equity"),
        json.TradingBlocked);
}
