using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

public sealed class RiskEngineTests
{
    private static readonly Dictionary<string, decimal> Marks = new() { ["SPY"] = 100m };

    private static RiskInput Input(OrderRequest request, AccountLedger? account = null, RiskLimits? limits = null, IFeeModel? fees = null)
    {
        var ledger = account ?? AccountLedger.Open("a", AccountType.Margin, 100_000m);
        return new RiskInput
        {
            Request = request,
            Now = T0,
            TradingState = TradingState.Active,
            Limits = limits ?? RiskLimits.Default,
            Instrument = Spy,
            Calendar = AlwaysOpenCalendar.Instance,
            Quote = Quote(99.99m, 100.01m),
            LastPrice = 100m,
            Account = ledger,
            Valuation = ledger.Value(Marks).GetValueOrThrow(),
            FeeModel = fees ?? NoFees,
        };
    }

    private static RiskDecision Evaluate(RiskInput input) => RiskEngine.Default.Evaluate(input);

    private static AccountLedger LongSpy(decimal quantity, AccountType type = AccountType.Margin, decimal cash = 100_000m) =>
        AccountLedger.Open("a", type, cash).ApplyFill(Exec("e0", OrderSide.Buy, quantity, 100m, orderId: "o0")).Ledger;

    [Fact]
    public void Evaluate_Approves_WithReservationAtTheTouch()
    {
        var decision = Evaluate(Input(MarketOrder(OrderSide.Buy, 10m)));

        Assert.True(decision.Approved);
        Assert.Equal(RiskReasonCodes.Approved, decision.ReasonCode);
        Assert.Equal(100.01m, decision.ReferencePrice);
        Assert.Equal(0m, decision.EstimatedFee);
        Assert.Equal(1_000.1m, decision.RequiredReservation);
    }

    [Fact]
    public void Evaluate_ReservationIncludesEstimatedFee()
    {
        var decision = Evaluate(Input(LimitOrder(OrderSide.Buy, 100m, 100m), fees: new PerShareFeeModel(0.005m, 1m, 0.5m, null)));

        Assert.True(decision.Approved);
        Assert.Equal(1m, decision.EstimatedFee);
        Assert.Equal(10_001m, decision.RequiredReservation);
    }

    [Fact]
    public void TradingHalted_DeniesEveryOrder()
    {
        var decision = Evaluate(Input(MarketOrder(OrderSide.Sell, 10m), LongSpy(100m)) with { TradingState = TradingState.Halted });

        Assert.False(decision.Approved);
        Assert.Equal(RiskReasonCodes.TradingHalted, decision.ReasonCode);
    }

    [Fact]
    public void Reducing_DeniesIncrease_AndGivesClosableMaximum()
    {
        var increase = Evaluate(Input(MarketOrder(OrderSide.Buy, 10m), LongSpy(100m)) with { TradingState = TradingState.Reducing });
        var flip = Evaluate(Input(MarketOrder(OrderSide.Sell, 150m), LongSpy(100m)) with { TradingState = TradingState.Reducing });
        var reduce = Evaluate(Input(MarketOrder(OrderSide.Sell, 100m), LongSpy(100m)) with { TradingState = TradingState.Reducing });

        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, increase.ReasonCode);
        Assert.Null(increase.MaxQuantity);
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, flip.ReasonCode);
        Assert.Equal(100m, flip.MaxQuantity);
        Assert.True(reduce.Approved);
    }

    [Theory]
    [InlineData(OrderClass.Bracket)]
    [InlineData(OrderClass.Oto)]
    public void Reducing_DeniesAGroupWhoseExits_WouldReopenThePositionTheEntryCloses(OrderClass orderClass)
    {
        // The entry sells the long; the exits trade against the entry, so they buy it back once it has filled.
        var group = LimitOrder(OrderSide.Sell, 100m, 100m) with
        {
            OrderClass = orderClass,
            TimeInForce = TimeInForce.Gtc,
            TakeProfit = new ExitLeg(LimitPrice: 95m),
            StopLoss = orderClass == OrderClass.Bracket ? new ExitLeg(StopPrice: 105m) : null,
        };

        var decision = Evaluate(Input(group, LongSpy(100m)) with { TradingState = TradingState.Reducing });

        Assert.False(decision.Approved);
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, decision.ReasonCode);
        Assert.Null(decision.MaxQuantity);
    }

    [Fact]
    public void Reducing_ApprovesAnOcoThatClosesThePosition()
    {
        var oco = LimitOrder(OrderSide.Sell, 100m, 105m) with
        {
            OrderClass = OrderClass.Oco,
            TimeInForce = TimeInForce.Gtc,
            TakeProfit = new ExitLeg(LimitPrice: 105m),
            StopLoss = new ExitLeg(StopPrice: 95m),
        };

        var decision = Evaluate(Input(oco, LongSpy(100m)) with { TradingState = TradingState.Reducing });

        Assert.True(decision.Approved, decision.Message);
    }

    [Fact]
    public void InstrumentUnknown_Denies()
    {
        var decision = Evaluate(Input(MarketOrder(OrderSide.Buy, 10m)) with { Instrument = null });

        Assert.Equal(RiskReasonCodes.InstrumentUnknown, decision.ReasonCode);
    }

    [Fact]
    public void InstrumentNotTradable_Denies()
    {
        var decision = Evaluate(Input(MarketOrder(OrderSide.Buy, 10m)) with { Instrument = Spy with { Tradable = false } });

        Assert.Equal(RiskReasonCodes.InstrumentNotTradable, decision.ReasonCode);
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("-5", null)]
    [InlineData("1.5", "1")]
    [InlineData("2000000", "1000000")]
    public void QuantityInvalid_Denies_WithLotAlignedMaximum(string quantity, string? max)
    {
        var decision = Evaluate(Input(MarketOrder(OrderSide.Buy, decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture))));

        Assert.Equal(RiskReasonCodes.QuantityInvalid, decision.ReasonCode);
        Assert.Equal(max is null ? null : decimal.Parse(max, System.Globalization.CultureInfo.InvariantCulture), decision.MaxQuantity);
    }

    [Fact]
    public void OrderInvalid_Denies_LimitOrderWithoutPrice()
    {
        var decision = Evaluate(Input(MarketOrder(OrderSide.Buy, 10m) with { Type = OrderType.Limit }));

        Assert.Equal(RiskReasonCodes.OrderInvalid, decision.ReasonCode);
        Assert.Contains(OrderErrorCodes.LimitPriceRequired, decision.Causes!);
        Assert.DoesNotContain(OrderErrorCodes.LimitPriceRequired, decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MarketClosed_Denies_OnAWeekend()
    {
        var saturday = new DateTimeOffset(2026, 3, 14, 15, 0, 0, TimeSpan.Zero);
        var input = Input(MarketOrder(OrderSide.Buy, 10m)) with { Now = saturday, Calendar = NyseCalendar.Instance, Quote = Quote(99.99m, 100.01m, at: saturday) };

        var decision = Evaluate(input);
        var allowed = Evaluate(input with { Limits = RiskLimits.Default with { RequireMarketOpen = false } });

        Assert.Equal(RiskReasonCodes.MarketClosed, decision.ReasonCode);
        Assert.True(allowed.Approved);
    }

    [Fact]
    public void QuoteMissing_Denies_WhenNoQuoteOrNoAsk()
    {
        var none = Evaluate(Input(MarketOrder(OrderSide.Buy, 10m)) with { Quote = null });
        var oneSided = Evaluate(Input(MarketOrder(OrderSide.Buy, 10m)) with { Quote = new OrleansTrader.Domain.Market.QuoteTick("SPY", T0, 99.99m, 100m, 0m, 0m) });
        var otherSymbol = Evaluate(Input(MarketOrder(OrderSide.Buy, 10m)) with { Quote = Quote(1m, 2m, symbol: "IBM") });

        Assert.Equal(RiskReasonCodes.QuoteMissing, none.ReasonCode);
        Assert.Equal(RiskReasonCodes.QuoteMissing, oneSided.ReasonCode);
        Assert.Equal(RiskReasonCodes.QuoteMissing, otherSymbol.ReasonCode);
    }

    [Fact]
    public void QuoteStale_Denies_WhenOlderThanMaxAge()
    {
        var stale = Evaluate(Input(MarketOrder(OrderSide.Buy, 10m)) with { Quote = Quote(99.99m, 100.01m, at: T0.AddSeconds(-31)) });
        var fresh = Evaluate(Input(MarketOrder(OrderSide.Buy, 10m)) with { Quote = Quote(99.99m, 100.01m, at: T0.AddSeconds(-30)) });

        Assert.Equal(RiskReasonCodes.QuoteStale, stale.ReasonCode);
        Assert.True(fresh.Approved);
    }

    // Accept now, work at the open: with RequireMarketOpen=false, an order placed while the market is closed is judged
    // against the last quote of the last session, its age counted from the regular close (EDT: 20:00 UTC; the after-hours
    // close is 00:00 UTC). Friday 2026-03-13 closes; Saturday is 2026-03-14.
    [Fact]
    public void QuoteStale_WhileClosed_CountsTheAgeFromTheLastClose()
    {
        var saturday = new DateTimeOffset(2026, 3, 14, 15, 0, 0, TimeSpan.Zero);
        var fridayClose = new DateTimeOffset(2026, 3, 13, 20, 0, 0, TimeSpan.Zero);
        var open = RiskLimits.Default with { RequireMarketOpen = false };
        RiskDecision At(DateTimeOffset now, DateTimeOffset quoted, OrderRequest? request = null, RiskLimits? limits = null) =>
            Evaluate(Input(request ?? LimitOrder(OrderSide.Buy, 10m, 100m), limits: limits ?? open) with
            {
                Now = now,
                Calendar = NyseCalendar.Instance,
                Quote = Quote(99.99m, 100.01m, at: quoted),
            });
        var extended = LimitOrder(OrderSide.Buy, 10m, 100m) with { ExtendedHours = true };

        Assert.True(At(saturday, fridayClose.AddSeconds(-30)).Approved);
        Assert.True(At(saturday, fridayClose.AddSeconds(-15), MarketOrder(OrderSide.Buy, 10m)).Approved);
        Assert.Equal(RiskReasonCodes.QuoteStale, At(saturday, fridayClose.AddSeconds(-31)).ReasonCode);
        Assert.Equal(RiskReasonCodes.QuoteStale, At(saturday, fridayClose.AddDays(-1).AddSeconds(-15)).ReasonCode);
        Assert.Equal(RiskReasonCodes.QuoteStale, At(saturday, saturday.AddSeconds(31)).ReasonCode);

        // After the regular close a regular-hours order is judged from it; so is an extended-hours one once the after-hours
        // has closed too (a quote from the after-hours is later still).
        Assert.True(At(fridayClose.AddHours(1), fridayClose.AddSeconds(-15)).Approved);
        Assert.True(At(saturday, fridayClose.AddSeconds(-15), extended).Approved);
        Assert.Equal(RiskReasonCodes.QuoteStale, At(saturday, fridayClose.AddSeconds(-31), extended).ReasonCode);
        Assert.True(At(saturday, fridayClose.AddHours(4).AddSeconds(-15), extended).Approved);

        // Open: the clock decides, as before; RequireMarketOpen=true still denies MARKET_CLOSED first.
        var mondayOpen = new DateTimeOffset(2026, 3, 16, 14, 0, 0, TimeSpan.Zero);
        Assert.Equal(RiskReasonCodes.QuoteStale, At(mondayOpen, mondayOpen.AddSeconds(-31)).ReasonCode);
        Assert.Equal(RiskReasonCodes.QuoteStale, At(mondayOpen, fridayClose.AddSeconds(-15)).ReasonCode);
        Assert.Equal(RiskReasonCodes.MarketClosed, At(saturday, fridayClose.AddSeconds(-15), limits: RiskLimits.Default).ReasonCode);
    }

    // The default Alpaca feed (IEX) quotes 08:00-17:00 New York: its last quote of a day is near 17:00, three hours before
    // the after-hours close. An extended-hours order placed while closed (overnight, a weekend) is judged like a regular one:
    // a quote fresh at the last regular close or later is the last session's, though the after-hours went on past it.
    // Friday 2026-11-20 closes at 16:00 EST (21:00 UTC); the after-hours at 20:00 EST (01:00 UTC Saturday).
    [Fact]
    public void QuoteStale_WhileClosed_AnExtendedHoursOrder_TakesAQuoteFreshAtTheRegularClose()
    {
        var regularClose = new DateTimeOffset(2026, 11, 20, 16, 0, 0, TimeSpan.FromHours(-5));
        var iexLastQuote = new DateTimeOffset(2026, 11, 20, 16, 59, 58, TimeSpan.FromHours(-5));
        var saturday = new DateTimeOffset(2026, 11, 21, 11, 0, 0, TimeSpan.FromHours(-5));
        var mondayBeforePreMarket = new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.FromHours(-5));
        var open = RiskLimits.Default with { RequireMarketOpen = false };
        var extended = LimitOrder(OrderSide.Buy, 10m, 100m) with { ExtendedHours = true };
        RiskDecision At(DateTimeOffset now, DateTimeOffset quoted, OrderRequest request) =>
            Evaluate(Input(request, limits: open) with { Now = now, Calendar = NyseCalendar.Instance, Quote = Quote(99.99m, 100.01m, at: quoted) });

        foreach (var now in new[] { saturday, mondayBeforePreMarket })
        {
            Assert.True(At(now, iexLastQuote, LimitOrder(OrderSide.Buy, 10m, 100m)).Approved);
            Assert.True(At(now, iexLastQuote, extended).Approved, At(now, iexLastQuote, extended).Message);
            Assert.True(At(now, regularClose.AddSeconds(-30), extended).Approved);
            Assert.Equal(RiskReasonCodes.QuoteStale, At(now, regularClose.AddSeconds(-31), extended).ReasonCode);
            Assert.Equal(RiskReasonCodes.QuoteStale, At(now, regularClose.AddDays(-1), extended).ReasonCode);
        }

        // While the after-hours session is open the clock decides: the order can trade now, at a quote three hours old.
        var afterHours = new DateTimeOffset(2026, 11, 20, 19, 0, 0, TimeSpan.FromHours(-5));
        Assert.Equal(RiskReasonCodes.QuoteStale, At(afterHours, iexLastQuote, extended).ReasonCode);
    }

    [Fact]
    public void PriceOutsideBand_Denies_LimitFarFromLast()
    {
        var far = Evaluate(Input(LimitOrder(OrderSide.Buy, 10m, 111m)));
        var edge = Evaluate(Input(LimitOrder(OrderSide.Buy, 10m, 110m)));
        var noLast = Evaluate(Input(LimitOrder(OrderSide.Buy, 10m, 100m)) with { LastPrice = null, Quote = Quote(99.99m, 100.01m) });

        Assert.Equal(RiskReasonCodes.PriceOutsideBand, far.ReasonCode);
        Assert.True(edge.Approved);
        Assert.True(noLast.Approved);
        Assert.Equal(RiskReasonCodes.PriceOutsideBand,
            Evaluate(Input(LimitOrder(OrderSide.Buy, 10m, 111m)) with { LastPrice = null }).ReasonCode);
    }

    // An OCO works at its take-profit's limit (the venue's and Alpaca's take_profit.limit_price), not at the order's own
    // limit price: a fat-fingered take-profit behind a sane limit price was never band-checked.
    [Fact]
    public void PriceOutsideBand_Denies_AnOcoWhoseTakeProfitIsFarFromLast_ThoughItsLimitPriceIsNot()
    {
        var oco = LimitOrder(OrderSide.Sell, 100m, 105m) with
        {
            OrderClass = OrderClass.Oco,
            TimeInForce = TimeInForce.Gtc,
            TakeProfit = new ExitLeg(LimitPrice: 10.50m),
            StopLoss = new ExitLeg(StopPrice: 9.50m),
        };

        var decision = Evaluate(Input(oco, LongSpy(100m)));

        Assert.Equal(RiskReasonCodes.PriceOutsideBand, decision.ReasonCode);
        Assert.Contains("10.50", decision.Message, StringComparison.Ordinal);
    }

    // An OCO trades at its take-profit's limit or its stop-loss, never at its own limit price: valued at that price, a
    // short-opening OCO whose take-profit is worth 109,000 passed the 100,000 notional cap and reserved 91,000 for it.
    [Fact]
    public void AnOco_IsValuedAtTheMostItsLegsCanTrade_NotAtItsOwnLimitPrice()
    {
        var oco = LimitOrder(OrderSide.Sell, 1_000m, 91m) with
        {
            OrderClass = OrderClass.Oco,
            TimeInForce = TimeInForce.Gtc,
            TakeProfit = new ExitLeg(LimitPrice: 109m),
            StopLoss = new ExitLeg(StopPrice: 92m),
        };

        var limits = RiskLimits.Default with { MaxPositionPercentOfEquity = 200m };
        var capped = Evaluate(Input(oco, limits: limits));
        var sized = Evaluate(Input(oco with { Quantity = 900m }, limits: limits));

        Assert.Equal(RiskReasonCodes.NotionalExceedsMaxPerOrder, capped.ReasonCode);
        Assert.Equal(917m, capped.MaxQuantity);
        Assert.True(sized.Approved, sized.Message);
        Assert.Equal(109m, sized.ReferencePrice);
        Assert.Equal(98_100m, sized.RequiredReservation);
    }

    // A sell limit fills at its limit or better, and better is higher: 1,000 to sell at 91 with the bid at 99.99 sells at
    // 99.99 (the paper venue and brokers fill a marketable limit at the touch). Valued at 91, the short passed the 95,000
    // notional cap with 91,000 and reserved 91,000 for what takes 99,990. A sell limit above the bid rests and fills at its
    // limit; a sell stop-limit whose stop the bid has reached sells at the bid as well, one not reached yet at its stop.
    [Fact]
    public void ASellLimitBelowTheBid_IsValuedAtTheBid_WhereItFills()
    {
        var limits = RiskLimits.Default with { MaxOrderNotional = 95_000m, MaxPositionPercentOfEquity = 200m };
        var marketable = Evaluate(Input(LimitOrder(OrderSide.Sell, 1_000m, 91m), limits: limits));
        var sized = Evaluate(Input(LimitOrder(OrderSide.Sell, 900m, 91m), limits: limits));
        var resting = Evaluate(Input(LimitOrder(OrderSide.Sell, 900m, 105m), limits: limits));
        var stopLimit = LimitOrder(OrderSide.Sell, 900m, 91m) with { Type = OrderType.StopLimit };
        var triggered = Evaluate(Input(stopLimit with { StopPrice = 100.5m }, limits: limits));
        var notTriggered = Evaluate(Input(stopLimit with { StopPrice = 95m }, limits: limits));

        Assert.Equal((RiskReasonCodes.NotionalExceedsMaxPerOrder, (decimal?)950m), (marketable.ReasonCode, marketable.MaxQuantity));
        Assert.Equal((true, (decimal?)99.99m, (decimal?)89_991m), (sized.Approved, sized.ReferencePrice, sized.RequiredReservation));
        Assert.Equal((true, (decimal?)105m), (resting.Approved, resting.ReferencePrice));
        Assert.Equal(((decimal?)99.99m, (decimal?)95m), (triggered.ReferencePrice, notTriggered.ReferencePrice));
    }

    // An OCO that sells with its take-profit below the bid sells at the bid at once: 900 with the take-profit at 95 and the
    // bid at 99.99 take 89,991 of buying power, not the 85,500 its take-profit says.
    [Fact]
    public void ASellingOcoWhoseTakeProfitIsBelowTheBid_IsValuedAtTheBid()
    {
        var oco = LimitOrder(OrderSide.Sell, 900m, 95m) with
        {
            OrderClass = OrderClass.Oco,
            TimeInForce = TimeInForce.Gtc,
            TakeProfit = new ExitLeg(LimitPrice: 95m),
            StopLoss = new ExitLeg(StopPrice: 92m),
        };

        var decision = Evaluate(Input(oco, limits: RiskLimits.Default with { MaxPositionPercentOfEquity = 200m }));

        Assert.Equal((true, (decimal?)99.99m, (decimal?)89_991m), (decision.Approved, decision.ReferencePrice, decision.RequiredReservation));
    }

    // A trailing buy's stop starts the trail above the ask and only comes down: with the ask at 100.01, a 5% trail stands at
    // 105.02 (105.0105 on the tick, rounded up as the venue places it) and a $2 trail at 102.01; the order buys there or
    // higher if the market rises that far. A trailing sell is valued at the bid, as before.
    [Fact]
    public void ATrailingBuy_IsValuedAtTheStopItStartsAt()
    {
        var trailing = MarketOrder(OrderSide.Buy, 100m) with { Type = OrderType.TrailingStop, TimeInForce = TimeInForce.Gtc };

        var percent = Evaluate(Input(trailing with { TrailPercent = 5m }));
        var price = Evaluate(Input(trailing with { TrailPrice = 2m }));
        var sell = Evaluate(Input(trailing with { Side = OrderSide.Sell, TrailPercent = 5m }));

        Assert.Equal(((decimal?)105.02m, (decimal?)10_502m), (percent.ReferencePrice, percent.RequiredReservation));
        Assert.Equal((decimal?)102.01m, price.ReferencePrice);
        Assert.Equal((decimal?)99.99m, sell.ReferencePrice);
    }

    // docs/grains.md: a bracket is checked as the order placed (its entry); its exits are held until the entry fills and
    // protect the position, so a stop-loss beyond the band is not a fat finger of the order placed.
    [Fact]
    public void PriceBand_JudgesABracketByItsEntry_NotByItsHeldExits()
    {
        var bracket = LimitOrder(OrderSide.Buy, 10m, 100m) with
        {
            OrderClass = OrderClass.Bracket,
            TimeInForce = TimeInForce.Gtc,
            TakeProfit = new ExitLeg(LimitPrice: 120m),
            StopLoss = new ExitLeg(StopPrice: 85m),
        };

        var decision = Evaluate(Input(bracket));

        Assert.True(decision.Approved, decision.Message);
    }

    [Fact]
    public void AbsurdInput_IsDeniedAsInvalid_NotAnOverflow()
    {
        var decision = Evaluate(Input(LimitOrder(OrderSide.Buy, 1_000_000m, 79_000_000_000_000m)));

        Assert.Equal(RiskReasonCodes.OrderInvalid, decision.ReasonCode);
        Assert.Contains(OrderErrorCodes.PriceAboveMaximum, decision.Causes!);
    }

    [Fact]
    public void NotionalExceedsMaxPerOrder_Denies_WithMaximum()
    {
        var decision = Evaluate(Input(LimitOrder(OrderSide.Buy, 1_001m, 100m)));

        Assert.Equal(RiskReasonCodes.NotionalExceedsMaxPerOrder, decision.ReasonCode);
        Assert.Equal(1_000m, decision.MaxQuantity);
    }

    // A limit set with a fraction of a cent is refused by what cents hide: the message must not read as equal amounts.
    [Fact]
    public void NotionalExceedsMaxPerOrder_ByLessThanACent_SaysByHowMuch()
    {
        var limits = RiskLimits.Default with { MaxOrderNotional = 99_999.999m };

        var decision = Evaluate(Input(LimitOrder(OrderSide.Buy, 1_000m, 100m), limits: limits));

        Assert.Equal(RiskReasonCodes.NotionalExceedsMaxPerOrder, decision.ReasonCode);
        Assert.Equal("Order notional 100000.000 exceeds the maximum 99999.999.", decision.Message);
    }

    [Fact]
    public void PositionExceedsMax_Denies_ByPercentOfEquity_WithMaximum()
    {
        // Equity 100,000 x 25% = 25,000 < 250,000: the percentage binds.
        var flat = Evaluate(Input(LimitOrder(OrderSide.Buy, 300m, 100m)));
        var withLong = Evaluate(Input(LimitOrder(OrderSide.Buy, 300m, 100m), LongSpy(100m)));

        Assert.Equal(RiskReasonCodes.PositionExceedsMax, flat.ReasonCode);
        Assert.Equal(250m, flat.MaxQuantity);
        Assert.Equal(RiskReasonCodes.PositionExceedsMax, withLong.ReasonCode);
        Assert.Equal(150m, withLong.MaxQuantity);
    }

    [Fact]
    public void PositionExceedsMax_Denies_ByNotionalCap_AndCountsOpenOrders()
    {
        var limits = RiskLimits.Default with { MaxPositionNotional = 20_000m };
        var ledger = AccountLedger.Open("a", AccountType.Margin, 100_000m).Reserve("o9", "SPY", OrderSide.Buy, 150m, 15_000m).GetValueOrThrow();

        var decision = Evaluate(Input(LimitOrder(OrderSide.Buy, 100m, 100m), ledger, limits));

        Assert.Equal(RiskReasonCodes.PositionExceedsMax, decision.ReasonCode);
        Assert.Equal(50m, decision.MaxQuantity);
    }

    [Fact]
    public void PositionLimit_IgnoresOpenOrdersOnTheOtherSide()
    {
        var limits = RiskLimits.Default with { MaxPositionNotional = 20_000m };
        var ledger = AccountLedger.Open("a", AccountType.Margin, 100_000m).Reserve("s9", "SPY", OrderSide.Sell, 500m, 0m).GetValueOrThrow();

        var decision = Evaluate(Input(LimitOrder(OrderSide.Buy, 250m, 100m), ledger, limits));

        Assert.Equal(RiskReasonCodes.PositionExceedsMax, decision.ReasonCode);
        Assert.Equal(200m, decision.MaxQuantity);
    }

    [Fact]
    public void PositionLimit_AllowsReducingOrders()
    {
        var limits = RiskLimits.Default with { MaxPositionNotional = 1_000m };

        var decision = Evaluate(Input(MarketOrder(OrderSide.Sell, 100m), LongSpy(300m), limits));

        Assert.True(decision.Approved);
    }

    // docs/domain.md denies what is beyond a limit ("> MaxOrderNotional", "> min(...)", "more than PriceBandPercent", "older
    // than MaxQuoteAge", "required > buying power"): each limit met exactly passes, and a share, a cent or a tick beyond it
    // is denied. A band of exactly 10% is met by prices whose distance does not look round (33 from 30, 7.70 from 7).
    [Fact]
    public void EveryLimit_MetExactly_Passes_AndJustBeyondIt_IsDenied()
    {
        var notional = RiskLimits.Default with { MaxOrderNotional = 10_000m, MaxPositionPercentOfEquity = 1_000m };
        var position = RiskLimits.Default with { MaxPositionNotional = 10_000m };
        var wide = RiskLimits.Default with { MaxPositionPercentOfEquity = 1_000m };
        var perShare = new PerShareFeeModel(0.005m, 1m, 0.5m, null);
        var cash = AccountLedger.Open("a", AccountType.Cash, 10_001m);
        var margin = AccountLedger.Open("a", AccountType.Margin, 10_000m);
        var quoteAt = (TimeSpan age) => Input(MarketOrder(OrderSide.Buy, 1m)) with { Quote = Quote(99.99m, 100.01m, at: T0 - age) };
        var banded = (decimal limit, decimal last) => Input(LimitOrder(OrderSide.Buy, 1m, limit)) with { LastPrice = last, Quote = Quote(last - 0.01m, last + 0.01m) };

        var atLimit = new[]
        {
            Evaluate(Input(LimitOrder(OrderSide.Buy, 100m, 100m), limits: notional)),
            Evaluate(Input(LimitOrder(OrderSide.Buy, 100m, 100m), limits: position)),
            Evaluate(Input(LimitOrder(OrderSide.Buy, 250m, 100m))), // 25% of 100,000
            Evaluate(Input(LimitOrder(OrderSide.Buy, 100m, 100m), cash, wide, perShare)), // 10,000 + $1 fee
            Evaluate(Input(LimitOrder(OrderSide.Buy, 200m, 100m), margin, wide)), // 2 x 10,000
            Evaluate(Input(LimitOrder(OrderSide.Buy, 1m, 110m))),
            Evaluate(Input(LimitOrder(OrderSide.Buy, 1m, 90m))),
            Evaluate(banded(33m, 30m)),
            Evaluate(banded(7.7m, 7m)),
            Evaluate(quoteAt(TimeSpan.FromSeconds(30))),
        };
        var beyond = new[]
        {
            Evaluate(Input(LimitOrder(OrderSide.Buy, 100m, 100.01m), limits: notional)).ReasonCode,
            Evaluate(Input(LimitOrder(OrderSide.Buy, 101m, 100m), limits: position)).ReasonCode,
            Evaluate(Input(LimitOrder(OrderSide.Buy, 251m, 100m))).ReasonCode,
            Evaluate(Input(LimitOrder(OrderSide.Buy, 100m, 100m), cash with { Cash = 10_000.99m }, wide, perShare)).ReasonCode,
            Evaluate(Input(LimitOrder(OrderSide.Buy, 201m, 100m), margin, wide)).ReasonCode,
            Evaluate(Input(LimitOrder(OrderSide.Buy, 1m, 110.01m))).ReasonCode,
            Evaluate(Input(LimitOrder(OrderSide.Buy, 1m, 89.99m))).ReasonCode,
            Evaluate(banded(33.01m, 30m)).ReasonCode,
            Evaluate(banded(7.71m, 7m)).ReasonCode,
            Evaluate(quoteAt(TimeSpan.FromSeconds(30) + TimeSpan.FromTicks(1))).ReasonCode,
        };

        Assert.All(atLimit, d => Assert.True(d.Approved, d.Message));
        Assert.Equal(
            [
                RiskReasonCodes.NotionalExceedsMaxPerOrder, RiskReasonCodes.PositionExceedsMax, RiskReasonCodes.PositionExceedsMax,
                RiskReasonCodes.InsufficientBuyingPower, RiskReasonCodes.InsufficientBuyingPower, RiskReasonCodes.PriceOutsideBand,
                RiskReasonCodes.PriceOutsideBand, RiskReasonCodes.PriceOutsideBand, RiskReasonCodes.PriceOutsideBand, RiskReasonCodes.QuoteStale,
            ],
            beyond);
    }

    [Fact]
    public void MaxOpenOrders_Denies_AtTheLimit()
    {
        var decision = Evaluate(Input(MarketOrder(OrderSide.Buy, 1m)) with { OpenOrderCount = 100 });
        var below = Evaluate(Input(MarketOrder(OrderSide.Buy, 1m)) with { OpenOrderCount = 99 });

        Assert.Equal(RiskReasonCodes.MaxOpenOrders, decision.ReasonCode);
        Assert.True(below.Approved);
    }

    [Fact]
    public void MaxOpenOrders_CountsABracketsExits_AsTheOrdersTheyBecome()
    {
        var bracket = MarketOrder(OrderSide.Buy, 1m) with
        {
            OrderClass = OrderClass.Bracket,
            TimeInForce = TimeInForce.Gtc,
            TakeProfit = new ExitLeg(LimitPrice: 110m),
            StopLoss = new ExitLeg(StopPrice: 90m),
        };

        var over = Evaluate(Input(bracket) with { OpenOrderCount = 98 });
        var room = Evaluate(Input(bracket) with { OpenOrderCount = 97 });

        Assert.Equal(RiskReasonCodes.MaxOpenOrders, over.ReasonCode);
        Assert.True(room.Approved, room.Message);
    }

    [Fact]
    public void RateLimitExceeded_Denies_WhenWindowIsFull()
    {
        var full = Enumerable.Range(0, 60).Select(i => T0.AddSeconds(-i)).ToList();
        var oldOnes = Enumerable.Range(0, 60).Select(i => T0.AddSeconds(-60 - i)).ToList();

        var decision = Evaluate(Input(MarketOrder(OrderSide.Buy, 1m)) with { RecentSubmits = full });
        var expired = Evaluate(Input(MarketOrder(OrderSide.Buy, 1m)) with { RecentSubmits = oldOnes });

        Assert.Equal(RiskReasonCodes.RateLimitExceeded, decision.ReasonCode);
        Assert.True(expired.Approved);
    }

    [Fact]
    public void RateLimit_BelowTheLimitInTotal_ApprovesWithoutAPassOverTheSubmits()
    {
        var decision = Evaluate(Input(MarketOrder(OrderSide.Buy, 1m)) with { RecentSubmits = new UnenumerableSubmits(59) });
        var atLimit = Evaluate(Input(MarketOrder(OrderSide.Buy, 1m)) with { RecentSubmits = new UnenumerableSubmits(60) });

        Assert.True(decision.Approved);
        Assert.Equal(RiskReasonCodes.RiskCheckFailed, atLimit.ReasonCode);
    }

    [Fact]
    public void InsufficientBuyingPower_Denies_WithMaximumThatCoversFees()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 5_000m);
        var limits = RiskLimits.Default with { MaxPositionPercentOfEquity = 1_000m };

        var decision = Evaluate(Input(LimitOrder(OrderSide.Buy, 60m, 100m), ledger, limits, new PerShareFeeModel(0.005m, 1m, 0.5m, null)));

        Assert.Equal(RiskReasonCodes.InsufficientBuyingPower, decision.ReasonCode);
        Assert.Equal(49m, decision.MaxQuantity); // 50 x 100 + $1 fee = 5,001 > 5,000
    }

    [Fact]
    public void InsufficientBuyingPower_CountsExistingReservations()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 5_000m).Reserve("o9", "IBM", OrderSide.Buy, 10m, 4_000m).GetValueOrThrow();
        var limits = RiskLimits.Default with { MaxPositionPercentOfEquity = 1_000m };

        var decision = Evaluate(Input(LimitOrder(OrderSide.Buy, 20m, 100m), ledger, limits));

        Assert.Equal(RiskReasonCodes.InsufficientBuyingPower, decision.ReasonCode);
        Assert.Equal(10m, decision.MaxQuantity);
    }

    // "The largest lot-aligned quantity that would pass, where one exists": when not even one lot passes there is none, as
    // the shorting check already said. A 0 here was advice a client could not follow (a 0-share order is QUANTITY_INVALID),
    // and the account adds a replaced order's filled quantity to it, so a denied replace advised a total that leaves nothing.
    [Fact]
    public void LimitsThatNoLotPasses_GiveNoMaximum_RatherThanZero()
    {
        var notional = Evaluate(Input(LimitOrder(OrderSide.Buy, 10m, 100m), limits: RiskLimits.Default with { MaxOrderNotional = 50m }));
        var position = Evaluate(Input(LimitOrder(OrderSide.Buy, 10m, 100m), LongSpy(100m), RiskLimits.Default with { MaxPositionNotional = 10_000m }));
        var allReserved = AccountLedger.Open("a", AccountType.Cash, 5_000m).Reserve("o9", "IBM", OrderSide.Buy, 50m, 5_000m).GetValueOrThrow();
        var buyingPower = Evaluate(Input(LimitOrder(OrderSide.Buy, 10m, 100m), allReserved, RiskLimits.Default with { MaxPositionPercentOfEquity = 1_000m }));

        Assert.Equal(
            ((RiskReasonCodes.NotionalExceedsMaxPerOrder, (decimal?)null), (RiskReasonCodes.PositionExceedsMax, (decimal?)null), (RiskReasonCodes.InsufficientBuyingPower, (decimal?)null)),
            ((notional.ReasonCode, notional.MaxQuantity), (position.ReasonCode, position.MaxQuantity), (buyingPower.ReasonCode, buyingPower.MaxQuantity)));
    }

    [Fact]
    public void ShortingNotAllowed_Denies_InCashAccount_WithClosableMaximum()
    {
        var flat = Evaluate(Input(MarketOrder(OrderSide.Sell, 10m), AccountLedger.Open("a", AccountType.Cash, 100_000m)));
        var partly = Evaluate(Input(MarketOrder(OrderSide.Sell, 10m), LongSpy(5m, AccountType.Cash)));

        Assert.Equal(RiskReasonCodes.ShortingNotAllowed, flat.ReasonCode);
        Assert.Null(flat.MaxQuantity);
        Assert.Equal(RiskReasonCodes.ShortingNotAllowed, partly.ReasonCode);
        Assert.Equal(5m, partly.MaxQuantity);
    }

    [Fact]
    public void ShortingNotAllowed_Denies_ForNonShortableOrByLimits()
    {
        var instrument = Evaluate(Input(MarketOrder(OrderSide.Sell, 10m)) with { Instrument = Spy with { Shortable = false } });
        var limits = Evaluate(Input(MarketOrder(OrderSide.Sell, 10m), limits: RiskLimits.Default with { AllowShortSelling = false }));
        var allowed = Evaluate(Input(MarketOrder(OrderSide.Sell, 10m)));

        Assert.Equal(RiskReasonCodes.ShortingNotAllowed, instrument.ReasonCode);
        Assert.Equal(RiskReasonCodes.ShortingNotAllowed, limits.ReasonCode);
        Assert.True(allowed.Approved);
        Assert.Equal(999.9m, allowed.RequiredReservation);
    }

    [Fact]
    public void DuplicateClientOrderId_IsAnAccountCode_NotProducedByTheEngine()
    {
        Assert.Equal("DUPLICATE_CLIENT_ORDER_ID", RiskReasonCodes.DuplicateClientOrderId);
    }

    [Fact]
    public void ExceptionInsideACheck_Denies()
    {
        var engine = new RiskEngine([.. RiskEngine.StandardChecks.Take(3), new ThrowingCheck(), .. RiskEngine.StandardChecks.Skip(3)]);

        var decision = engine.Evaluate(Input(MarketOrder(OrderSide.Buy, 1m)));

        Assert.False(decision.Approved);
        Assert.Equal(RiskReasonCodes.RiskCheckFailed, decision.ReasonCode);
        Assert.Contains(nameof(ThrowingCheck), decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExceptionInsideFeeModel_Denies()
    {
        var decision = Evaluate(Input(MarketOrder(OrderSide.Buy, 1m), fees: new ThrowingFeeModel()));

        Assert.Equal(RiskReasonCodes.RiskCheckFailed, decision.ReasonCode);
    }

    [Fact]
    public void MissingInputs_Deny_NeverDefault()
    {
        var baseInput = Input(MarketOrder(OrderSide.Buy, 1m));

        Assert.Equal(RiskReasonCodes.InputMissing, Evaluate(baseInput with { Valuation = null }).ReasonCode);
        Assert.Equal(RiskReasonCodes.InputMissing, Evaluate(baseInput with { Account = null }).ReasonCode);
        Assert.Equal(RiskReasonCodes.InputMissing, Evaluate(baseInput with { Limits = null }).ReasonCode);
        Assert.Equal(RiskReasonCodes.InputMissing, Evaluate(baseInput with { Calendar = null }).ReasonCode);
        Assert.Equal(RiskReasonCodes.InputMissing, Evaluate(baseInput with { FeeModel = null }).ReasonCode);
    }

    [Fact]
    public void InvalidLimits_DenyEverything()
    {
        var limits = RiskLimits.Default with { MaxOrderNotional = 0m, PriceBandPercent = -1m };

        var decision = Evaluate(Input(MarketOrder(OrderSide.Buy, 1m), limits: limits));

        Assert.Equal(2, limits.Validate().Count);
        Assert.Empty(RiskLimits.Default.Validate());
        Assert.Equal(RiskReasonCodes.LimitsInvalid, decision.ReasonCode);
    }

    [Fact]
    public void EstimatedFee_IsPricedOncePerQuantity_AndAgainForAnother()
    {
        // Buying power and the approval ask for the order's own quantity several times; the fee model is priced once
        // for it, and a different quantity (the binary search for the maximum) is never answered from that one.
        var fees = new CountingFeeModel(new PerShareFeeModel(0.005m, 1m, 0.5m, null));
        var context = new RiskContext(Input(LimitOrder(OrderSide.Buy, 1_000m, 100m), fees: fees));

        var full = context.EstimatedFee(1_000m);
        var again = context.EstimatedFee(1_000m);
        var smaller = context.EstimatedFee(100m);
        var fullAfter = context.EstimatedFee(1_000m);

        Assert.Equal(5m, full);
        Assert.Equal(5m, again);
        Assert.Equal(1m, smaller);
        Assert.Equal(5m, fullAfter);
        Assert.Equal(3, fees.Calls);
    }

    [Fact]
    public void Approval_PricesTheOrdersFeeOnce()
    {
        var fees = new CountingFeeModel(new PerShareFeeModel(0.005m, 1m, 0.5m, null));

        var decision = Evaluate(Input(LimitOrder(OrderSide.Buy, 100m, 100m), fees: fees));

        Assert.True(decision.Approved);
        Assert.Equal(1m, decision.EstimatedFee);
        Assert.Equal(10_001m, decision.RequiredReservation);
        Assert.Equal(1, fees.Calls);
    }

    private sealed class CountingFeeModel(IFeeModel inner) : IFeeModel
    {
        public int Calls { get; private set; }

        public FeeBreakdown Calculate(FeeInput input)
        {
            Calls++;
            return inner.Calculate(input);
        }
    }

    private sealed class ThrowingCheck : IRiskCheck
    {
        public RiskDecision? Check(RiskContext context) => throw new InvalidOperationException("boom");
    }

    private sealed class ThrowingFeeModel : IFeeModel
    {
        public FeeBreakdown Calculate(FeeInput input) => throw new InvalidOperationException("fee table unavailable");
    }

    /// <summary>Submits that may only be counted: a pass over them fails the check (and so denies the order).</summary>
    private sealed class UnenumerableSubmits(int count) : IReadOnlyCollection<DateTimeOffset>
    {
        public int Count => count;

        public IEnumerator<DateTimeOffset> GetEnumerator() => throw new InvalidOperationException("The submits were enumerated.");

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
