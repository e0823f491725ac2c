using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Domain.Risk;

/// <summary>
/// The input plus the derived values the checks share. Every accessor of an optional input throws
/// <see cref="RiskInputMissingException"/> when it is absent, so no check can run on a default.
/// </summary>
public sealed class RiskContext(RiskInput input)
{
    private decimal? _closable;
    private decimal? _pendingSameSide;
    private (decimal Quantity, decimal Fee)? _lastFee;

    public RiskInput Input { get; } = input ?? throw new ArgumentNullException(nameof(input));

    public OrderRequest Request => Input.Request;

    public RiskLimits Limits => Input.Limits ?? throw Missing("risk limits");

    public Instrument Instrument => Input.Instrument ?? throw new RiskInputMissingException(
        RiskReasonCodes.InstrumentUnknown, $"No instrument for {Request.Symbol}.");

    public ITradingCalendar Calendar => Input.Calendar ?? throw Missing("trading calendar");

    public AccountLedger Account => Input.Account ?? throw Missing("account");

    public Valuation Valuation => Input.Valuation ?? throw (Input.ValuationError is { } why
        ? new RiskInputMissingException(RiskReasonCodes.InputMissing, $"Missing account valuation: {why}")
        : Missing("account valuation"));

    public IFeeModel FeeModel => Input.FeeModel ?? throw Missing("fee model");

    public int Direction => Request.Side == OrderSide.Buy ? 1 : -1;

    /// <summary>A quote for this symbol with the side this order trades against (ask for buys, bid for sells).</summary>
    public QuoteTick Quote
    {
        get
        {
            var quote = Input.Quote;
            if (quote is null || quote.Symbol != Request.Symbol)
            {
                throw new RiskInputMissingException(RiskReasonCodes.QuoteMissing, $"No quote for {Request.Symbol}.");
            }

            var touch = Request.Side == OrderSide.Buy ? quote.AskPrice : quote.BidPrice;
            var size = Request.Side == OrderSide.Buy ? quote.AskSize : quote.BidSize;
            if (touch <= 0m || size <= 0m)
            {
                throw new RiskInputMissingException(RiskReasonCodes.QuoteMissing,
                    $"The quote for {Request.Symbol} has no {(Request.Side == OrderSide.Buy ? "ask" : "bid")}.");
            }

            return quote;
        }
    }

    public decimal Touch => Request.Side == OrderSide.Buy ? Quote.AskPrice : Quote.BidPrice;

    /// <summary>The band centre: last trade, else the quote mid.</summary>
    public decimal LastPrice => Input.LastPrice is > 0m and var last ? last
        : Input.Quote is { } quote && quote.Symbol == Request.Symbol && quote.Mid is { } mid ? mid
        : throw new RiskInputMissingException(RiskReasonCodes.QuoteMissing, $"No last price for {Request.Symbol}.");

    /// <summary>
    /// The price an order is valued at: its limit for limit and stop-limit orders (a sell's at least what it would sell at
    /// now, below); the touch for market and trailing sell orders, and for a trailing buy the stop it starts at (below); for
    /// stop orders the worse of stop and touch; for an OCO the highest price of its legs (a selling one's at least the bid,
    /// where a take-profit below it fills). An OCO works at its take-profit's limit and its stop-loss, not at its own limit
    /// price, so that price says nothing of what it trades.
    /// </summary>
    public decimal ReferencePrice => Request.OrderClass == OrderClass.Oco
        ? Request.Side == OrderSide.Sell ? Math.Max(OcoPrice, Touch) : OcoPrice
        : Request.Type switch
        {
            OrderType.Limit or OrderType.StopLimit when Request.Side == OrderSide.Sell => SellLimitPrice,
            OrderType.Limit or OrderType.StopLimit => Request.LimitPrice ?? throw Missing("limit price"),
            OrderType.Stop => Request.Side == OrderSide.Buy
                ? Math.Max(Touch, Request.StopPrice ?? throw Missing("stop price"))
                : Math.Min(Touch, Request.StopPrice ?? throw Missing("stop price")),
            OrderType.TrailingStop when Request.Side == OrderSide.Buy => TrailingBuyPrice,
            _ => Touch,
        };

    /// <summary>
    /// The stop a trailing buy starts at, the trail above the ask: it only comes down from there, so the order buys at that
    /// price or more if the market rises to it. Valued at the ask, it took up to the trail more than it reserved.
    /// </summary>
    private decimal TrailingBuyPrice =>
        TrailingStops.Level(OrderSide.Buy, Touch, Request.TrailPrice, Request.TrailPercent) is { } level
            ? TrailingStops.OnTick(OrderSide.Buy, level)
            : throw Missing("trail price or percent");

    /// <summary>
    /// A sell limit fills at its limit or better, and better for a sale is higher: one below the bid fills at the bid (a
    /// stop-limit, at the bid once its stop is reached). Valued at its limit, a short sold that way took more buying power,
    /// notional and position than its checks and reservation saw (up to the price band's 10% more).
    /// </summary>
    private decimal SellLimitPrice
    {
        get
        {
            var limit = Request.LimitPrice ?? throw Missing("limit price");
            var trigger = Request.Type == OrderType.StopLimit ? Math.Min(Touch, Request.StopPrice ?? throw Missing("stop price")) : Touch;
            return Math.Max(limit, trigger);
        }
    }

    /// <summary>The most an OCO can trade at: either leg may fill, as the exits of a bracket are priced when they are reserved.</summary>
    private decimal OcoPrice
    {
        get
        {
            var takeProfit = Request.TakeProfit?.LimitPrice ?? throw Missing("take-profit limit price");
            var stopLoss = Request.StopLoss?.StopPrice ?? throw Missing("stop-loss stop price");
            return Math.Max(Math.Max(takeProfit, stopLoss), Request.StopLoss.LimitPrice ?? 0m);
        }
    }

    /// <summary>The lot the maximum quantities are aligned to.</summary>
    public decimal Lot => Instrument.LotSize;

    /// <summary>
    /// The fee of <paramref name="quantity"/> at <see cref="ReferencePrice"/>. The last one is kept: buying power and
    /// the approval ask for the order's own quantity three times, and fee models are pure.
    /// </summary>
    public decimal EstimatedFee(decimal quantity)
    {
        if (quantity <= 0m)
        {
            return 0m;
        }

        if (_lastFee is { } last && last.Quantity == quantity && last.Quantity.Scale == quantity.Scale)
        {
            return last.Fee;
        }

        var fee = FeeModel.Calculate(new FeeInput(Request.Side, quantity, ReferencePrice) { TradeDate = NyseCalendar.ExchangeDate(Input.Now) }).Total;
        _lastFee = (quantity, fee);
        return fee;
    }

    /// <summary>What this order can close of the position after the open orders on its side (computed once).</summary>
    public decimal ClosableQuantity => _closable ??= Account.ClosableQuantity(Request.Symbol, Request.Side);

    /// <summary>The part of <paramref name="quantity"/> that opens or increases exposure.</summary>
    public decimal OpeningQuantity(decimal quantity) => Math.Max(0m, quantity - ClosableQuantity);

    /// <summary>The reservation <paramref name="quantity"/> of this order needs; equals <see cref="AccountLedger.RequiredReservation"/>.</summary>
    public decimal RequiredReservation(decimal quantity) => (OpeningQuantity(quantity) * ReferencePrice) + EstimatedFee(quantity);

    /// <summary>
    /// The current position plus the open orders on this order's side, as a signed quantity: the worst case for a
    /// limit in this direction is that those fill and the opposite ones do not.
    /// </summary>
    public decimal ProjectedPositionBeforeOrder
    {
        get
        {
            var position = Account.PositionOf(Request.Symbol).Quantity;
            _pendingSameSide ??= Account.PendingQuantity(Request.Symbol, Request.Side);
            return position + (Direction * _pendingSameSide.Value);
        }
    }

    public decimal AlignDown(decimal quantity) => quantity <= 0m ? 0m : Money.RoundDownTo(quantity, Lot);

    private static RiskInputMissingException Missing(string what) => new(RiskReasonCodes.InputMissing, $"Missing {what}.");
}
