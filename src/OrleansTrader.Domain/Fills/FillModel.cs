using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Fills;

/// <summary>
/// The simulated exchange's matching rules, shared by the paper broker and backtests. Pure: the same order state and
/// market snapshot always give the same decision.
/// <list type="bullet">
/// <item>Market orders fill at the touch (ask for buys, bid for sells) moved against the order by the slippage.</item>
/// <item>Limit orders fill at the touch when it is marketable (moved against the order by the slippage, never past the
/// limit), or at the limit when a trade prints strictly through it.</item>
/// <item>Stops trigger on a trade at or through the stop and then act as market orders; stop-limits act as limits (the
/// trade that triggers one is not a print through its limit: the order was not resting then).
/// Trailing stops follow the high (sell) or low (buy) water mark of trades by a price offset or percentage.</item>
/// <item>Fills are capped by the displayed size at the touch (or the size of the trade through a limit) and by a
/// participation rate of the trade's size (of the whole print, for all the orders it fills together); IOC fills what it can and cancels the rest; FOK fills all or nothing.</item>
/// <item>DAY orders expire at their close; OPG/CLS orders fill only at the opening/closing print given as input, and
/// are canceled when the print misses their limit.</item>
/// <item>No quote (or no price on the needed side) means no fill: never a default price.</item>
/// </list>
/// </summary>
public static class FillModel
{
    public static FillDecision Evaluate(SimulatedOrder order, MarketSnapshot market, FillModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(options);
        if (order.LeavesQuantity <= 0m)
        {
            return Decide(FillOutcome.NoFill, order, FillReasons.NothingLeft);
        }

        if (order.TimeInForce == TimeInForce.Day && order.ExpiresAt is { } expiry && market.Now >= expiry)
        {
            return Decide(FillOutcome.Expire, order, FillReasons.DayExpired);
        }

        if (order.TimeInForce is TimeInForce.Opg or TimeInForce.Cls)
        {
            return Auction(order, order.TimeInForce == TimeInForce.Opg ? market.OpeningPrint : market.ClosingPrint);
        }

        var state = Track(order, market);
        if (state.Type is OrderType.Stop or OrderType.StopLimit or OrderType.TrailingStop && !state.Triggered)
        {
            return Unfilled(state, FillReasons.NotTriggered);
        }

        // A stop-limit that this trade triggered was not resting when the trade printed, so the print cannot have gone
        // through its limit: only the touch can fill it now, and later prints through the limit can.
        var printThrough = order.Triggered || state.Type != OrderType.StopLimit;
        var (price, available, reason) = state.Type is OrderType.Limit or OrderType.StopLimit
            ? LimitMatch(state, market, options, printThrough)
            : MarketMatch(state, market, options);
        if (price is null)
        {
            return Unfilled(state, reason);
        }

        if (options.ParticipationRate is { } rate)
        {
            // The rate's share of the whole print, less what earlier fills of it took: all orders together stay within it.
            var left = market.Trade?.Size ?? 0m;
            var print = Math.Max(left, market.PrintSize ?? left);
            available = Math.Min(available, Math.Max(0m, (print * rate) - (print - left)));
        }

        var quantity = Money.RoundDownTo(Math.Min(state.LeavesQuantity, Math.Max(0m, available)), options.QuantityIncrement);
        if (quantity <= 0m)
        {
            return Unfilled(state, FillReasons.NothingAvailable);
        }

        var rest = state with { LeavesQuantity = state.LeavesQuantity - quantity };
        return state.TimeInForce switch
        {
            TimeInForce.Fok when quantity < state.LeavesQuantity => Decide(FillOutcome.Cancel, state, FillReasons.FokNotFillable),
            TimeInForce.Ioc when quantity < state.LeavesQuantity =>
                new FillDecision { Outcome = FillOutcome.Cancel, Quantity = quantity, Price = price, Order = rest, Reason = FillReasons.IocRemainderCanceled },
            _ => new FillDecision
            {
                Outcome = FillOutcome.Fill,
                Quantity = quantity,
                Price = price,
                Order = rest,
                Reason = quantity == state.LeavesQuantity ? FillReasons.Filled : FillReasons.PartiallyFilled,
            },
        };
    }

    /// <summary>Updates the trailing water mark and the stop trigger from the trade in the snapshot.</summary>
    private static SimulatedOrder Track(SimulatedOrder order, MarketSnapshot market)
    {
        if (market.Trade is not { Price: > 0m } trade || order.Triggered)
        {
            return order;
        }

        var state = order;
        var stop = order.StopPrice;
        if (order.Type == OrderType.TrailingStop)
        {
            var mark = order.WaterMark is not { } previous ? trade.Price
                : order.Side == OrderSide.Sell ? Math.Max(previous, trade.Price) : Math.Min(previous, trade.Price);
            state = state with { WaterMark = mark };
            stop = state.TrailingStopPrice;
        }

        if (order.Type is OrderType.Stop or OrderType.StopLimit or OrderType.TrailingStop && stop is { } level)
        {
            var hit = order.Side == OrderSide.Buy ? trade.Price >= level : trade.Price <= level;
            if (hit)
            {
                state = state with { Triggered = true };
            }
        }

        return state;
    }

    private static (decimal? Price, decimal Available, string Reason) MarketMatch(SimulatedOrder order, MarketSnapshot market, FillModelOptions options)
    {
        if (!Touch(order.Side, market, out var touch, out var size))
        {
            // A priced touch whose displayed size earlier fills took is a quote with nothing left at it, not a missing quote.
            return (null, 0m, touch > 0m ? FillReasons.NothingAvailable : FillReasons.QuoteMissing);
        }

        var price = Slippage.Against(order.Side, touch, options.SlippageBps);
        return (price, options.LimitByDisplayedSize ? size : order.LeavesQuantity, FillReasons.Filled);
    }

    /// <summary>
    /// Whether a fill of <paramref name="order"/> against <paramref name="quote"/> comes from the touch: always for market
    /// orders and triggered stops; for limits and stop-limits when the touch is marketable and its displayed size left
    /// gives at least one quantity step. Size below a step (half a share after whole-share fills took 95 of 95.5) is used
    /// up for the order: it must not hide a trade through the limit behind a touch that fills nothing. The paper venue
    /// asks this too, to take a fill's size from the touch or from the trade it printed through.
    /// </summary>
    public static bool FillsAtTouch(SimulatedOrder order, QuoteTick? quote, FillModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(options);
        if (order.Type is not (OrderType.Limit or OrderType.StopLimit))
        {
            return true;
        }

        if (quote is null || order.LimitPrice is not { } limit)
        {
            return false;
        }

        var buy = order.Side == OrderSide.Buy;
        var (touch, size) = buy ? (quote.AskPrice, quote.AskSize) : (quote.BidPrice, quote.BidSize);
        var sizeLeft = options.LimitByDisplayedSize ? Money.RoundDownTo(size, options.QuantityIncrement) : size;
        return touch > 0m && sizeLeft > 0m && (buy ? touch <= limit : touch >= limit);
    }

    private static (decimal? Price, decimal Available, string Reason) LimitMatch(SimulatedOrder order, MarketSnapshot market, FillModelOptions options,
        bool printThrough)
    {
        var limit = order.LimitPrice ?? throw new ArgumentException("A limit order needs a limit price.", nameof(order));

        // A priced touch whose displayed size earlier fills took (all of it, or all but less than a quantity step) is still
        // a quote: it cannot fill at the touch, but a trade printing through the limit still fills at the limit.
        var hasSize = Touch(order.Side, market, out var touch, out var size);
        if (!hasSize && !(market.Quote is { } standing && (order.Side == OrderSide.Buy ? standing.AskPrice : standing.BidPrice) > 0m))
        {
            return (null, 0m, FillReasons.QuoteMissing);
        }

        var buy = order.Side == OrderSide.Buy;
        if (FillsAtTouch(order, market.Quote, options))
        {
            var price = Slippage.Against(order.Side, touch, options.SlippageBps, limit);
            return (price, options.LimitByDisplayedSize ? size : order.LeavesQuantity, FillReasons.Filled);
        }

        if (printThrough && market.Trade is { Price: > 0m } trade && (buy ? trade.Price < limit : trade.Price > limit))
        {
            return (limit, trade.Size, FillReasons.Filled);
        }

        // A touch at or through the limit crossed it: what stopped the fill is its displayed size, used up by earlier fills.
        var crossed = buy ? touch <= limit : touch >= limit;
        return (null, 0m, crossed ? FillReasons.NothingAvailable : FillReasons.NotCrossed);
    }

    private static FillDecision Auction(SimulatedOrder order, decimal? print)
    {
        if (print is not { } price || price <= 0m)
        {
            return Decide(FillOutcome.NoFill, order, FillReasons.AuctionPending);
        }

        if (order.Type == OrderType.Limit && order.LimitPrice is { } limit
            && (order.Side == OrderSide.Buy ? price > limit : price < limit))
        {
            return Decide(FillOutcome.Cancel, order, FillReasons.AuctionLimitNotMet);
        }

        return new FillDecision
        {
            Outcome = FillOutcome.Fill,
            Quantity = order.LeavesQuantity,
            Price = price,
            Order = order with { LeavesQuantity = 0m },
            Reason = FillReasons.Filled,
        };
    }

    private static bool Touch(OrderSide side, MarketSnapshot market, out decimal price, out decimal size)
    {
        price = 0m;
        size = 0m;
        if (market.Quote is not { } quote)
        {
            return false;
        }

        (price, size) = side == OrderSide.Buy ? (quote.AskPrice, quote.AskSize) : (quote.BidPrice, quote.BidSize);
        return price > 0m && size > 0m;
    }

    /// <summary>IOC and FOK orders that cannot fill now end now; other orders keep working.</summary>
    private static FillDecision Unfilled(SimulatedOrder state, string reason) =>
        state.TimeInForce is TimeInForce.Ioc or TimeInForce.Fok
            ? Decide(FillOutcome.Cancel, state, reason)
            : Decide(FillOutcome.NoFill, state, reason);

    private static FillDecision Decide(FillOutcome outcome, SimulatedOrder order, string reason) =>
        new() { Outcome = outcome, Order = order, Reason = reason };
}
