using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

/// <summary>
/// Known answers, in the fast Domain suite, for money-path rules that a one-token change broke while no Domain test, or
/// only a random property test, failed (a mutation audit; grain and venue tests caught some of them): a limit that meets
/// the touch or the auction print exactly, a buy stop below the ask, a growing short, two closing orders under REDUCING,
/// a trigger armed again after its forced override cleared.
/// </summary>
public sealed class MoneyPathKnownAnswerTests
{
    private static readonly Dictionary<string, decimal> Marks = new() { ["SPY"] = 100m };

    private static SimulatedOrder Resting(OrderSide side, decimal limit, TimeInForce tif = TimeInForce.Gtc) => new()
    {
        Side = side,
        Type = OrderType.Limit,
        TimeInForce = tif,
        LeavesQuantity = 100m,
        LimitPrice = limit,
    };

    private static RiskInput Input(OrderRequest request, AccountLedger ledger, TradingState state = TradingState.Active, RiskLimits? limits = null) => new()
    {
        Request = request,
        Now = T0,
        TradingState = state,
        Limits = limits ?? RiskLimits.Default,
        Instrument = Spy,
        Calendar = AlwaysOpenCalendar.Instance,
        Quote = Quote(99.99m, 100.01m),
        LastPrice = 100m,
        Account = ledger,
        Valuation = ledger.Value(Marks).GetValueOrThrow(),
        FeeModel = NoFees,
    };

    private static AccountLedger LongSpy(decimal quantity) =>
        AccountLedger.Open("a", AccountType.Margin, 100_000m).ApplyFill(Exec("e0", OrderSide.Buy, quantity, 100m, orderId: "o0")).Ledger;

    // A limit equal to the touch is marketable: a buy at the ask and a sell at the bid fill there, at once.
    [Fact]
    public void FillModel_LimitExactlyAtTheTouch_FillsAtTheTouch()
    {
        var market = new MarketSnapshot { Now = T0, Quote = Quote(99.99m, 100.01m) };

        var buy = FillModel.Evaluate(Resting(OrderSide.Buy, 100.01m), market, FillModelOptions.Default);
        var sell = FillModel.Evaluate(Resting(OrderSide.Sell, 99.99m), market, FillModelOptions.Default);

        Assert.Equal((FillOutcome.Fill, 100m, (decimal?)100.01m), (buy.Outcome, buy.Quantity, buy.Price));
        Assert.Equal((FillOutcome.Fill, 100m, (decimal?)99.99m), (sell.Outcome, sell.Quantity, sell.Price));
    }

    // An auction print equal to an OPG or CLS limit meets it: the order fills at the print, it is not canceled.
    [Fact]
    public void FillModel_AuctionPrintExactlyAtTheLimit_Fills()
    {
        var market = new MarketSnapshot { Now = T0, OpeningPrint = 100.2m, ClosingPrint = 101m };

        var openingBuy = FillModel.Evaluate(Resting(OrderSide.Buy, 100.2m, TimeInForce.Opg), market, FillModelOptions.Default);
        var closingSell = FillModel.Evaluate(Resting(OrderSide.Sell, 101m, TimeInForce.Cls), market, FillModelOptions.Default);

        Assert.Equal((FillOutcome.Fill, 100m, (decimal?)100.2m), (openingBuy.Outcome, openingBuy.Quantity, openingBuy.Price));
        Assert.Equal((FillOutcome.Fill, 100m, (decimal?)101m), (closingSell.Outcome, closingSell.Quantity, closingSell.Price));
    }

    // A buy stop below the ask triggers on the next print and buys at the ask: valued at its stop it would reserve less than
    // it spends, and a cash account that can pay the stop but not the ask would be let through.
    [Fact]
    public void Risk_ABuyStopBelowTheAsk_IsValuedAndReservedAtTheAsk()
    {
        var stop = MarketOrder(OrderSide.Buy, 10m) with { Type = OrderType.Stop, StopPrice = 99.5m };
        var enoughForTheStopOnly = AccountLedger.Open("a", AccountType.Cash, 995m);
        var wide = RiskLimits.Default with { MaxPositionPercentOfEquity = 1_000m };

        var approved = RiskEngine.Default.Evaluate(Input(stop, AccountLedger.Open("a", AccountType.Margin, 100_000m)));
        var denied = RiskEngine.Default.Evaluate(Input(stop, enoughForTheStopOnly, limits: wide));

        Assert.Equal((true, (decimal?)100.01m, (decimal?)1_000.1m), (approved.Approved, approved.ReferencePrice, approved.RequiredReservation));
        Assert.Equal((RiskReasonCodes.InsufficientBuyingPower, (decimal?)9m), (denied.ReasonCode, denied.MaxQuantity));
    }

    // The position limit caps a short as it caps a long: a short of 200 @ 100 on equity 100,000 (25%: 25,000) takes a sell
    // of 50 more, not 100. Judged by signed quantities, a sale that grows a short looks like one that shrinks it.
    [Fact]
    public void Risk_ASellThatGrowsAShort_IsHeldToThePositionLimit()
    {
        var shortSpy = AccountLedger.Open("a", AccountType.Margin, 100_000m).ApplyFill(Exec("e0", OrderSide.Sell, 200m, 100m, orderId: "o0")).Ledger;

        var decision = RiskEngine.Default.Evaluate(Input(LimitOrder(OrderSide.Sell, 100m, 100m), shortSpy));

        Assert.Equal((RiskReasonCodes.PositionExceedsMax, (decimal?)50m), (decision.ReasonCode, decision.MaxQuantity));
    }

    // Under REDUCING a sell may close only what the sells already working leave: with a long of 100 and a sell of 100
    // working, a second sell of 100 would open a short of 100.
    [Fact]
    public void Risk_Reducing_ASecondSellOfTheSameLong_IsDenied()
    {
        var oneSellWorking = LongSpy(100m).Reserve("s1", "SPY", OrderSide.Sell, 100m, 0m, price: 99.99m).GetValueOrThrow();

        var second = RiskEngine.Default.Evaluate(Input(MarketOrder(OrderSide.Sell, 100m), oneSellWorking, TradingState.Reducing));
        var alone = RiskEngine.Default.Evaluate(Input(MarketOrder(OrderSide.Sell, 100m), LongSpy(100m), TradingState.Reducing));

        Assert.Equal((RiskReasonCodes.ReduceOnlyWouldIncreasePosition, (decimal?)null), (second.ReasonCode, second.MaxQuantity));
        Assert.True(alone.Approved, alone.Message);
    }

    // A forced reset overrides the daily-loss trigger while the loss holds; once the day's P&L is back within the limit the
    // trigger is armed again, and a new breach trips the breaker to REDUCING as before.
    [Fact]
    public void Breaker_AnOverriddenTrigger_IsArmedAgainOnceItsConditionClears()
    {
        var policy = BreakerPolicy.Default;
        var calm = new BreakerSignals { DayPnl = 0m, Equity = 100_000m, HighWaterMark = 100_000m, LastMarketDataAt = T0 };
        var losing = calm with { DayPnl = -7_000m };
        var riskOfficer = new BreakerActor("risk-officer", HasRiskRole: true);
        var overridden = CircuitBreaker.Reset(new BreakerStatus(TradingState.Reducing), TradingState.Active, policy, losing, riskOfficer,
            "loss reviewed", force: true, T0).GetValueOrThrow().Status;

        var stillLosing = CircuitBreaker.Evaluate(overridden, policy, losing, T0).GetValueOrThrow();
        var recovered = CircuitBreaker.Evaluate(stillLosing.Status, policy, calm, T0.AddMinutes(1)).GetValueOrThrow();
        var losingAgain = CircuitBreaker.Evaluate(recovered.Status, policy, losing, T0.AddMinutes(2)).GetValueOrThrow();

        Assert.Empty(stillLosing.Transitions);
        Assert.Empty(recovered.Status.Overridden);
        var trip = Assert.Single(losingAgain.Transitions);
        Assert.Equal((TradingState.Active, TradingState.Reducing, BreakerTrigger.DailyLoss), (trip.From, trip.To, trip.Trigger));
    }

    // A priced reservation holds the order's estimated fee in proportion to what is left to fill: 100 shares at 100 with a
    // 10.00 fee hold 10,010; with 40 left, 4,000 and 4.00 of the fee, 4,004. Held whole, the fee of filled shares stayed
    // reserved until the order ended (caught before only by a random property test).
    [Fact]
    public void Reservation_APartialFill_ReleasesTheEstimatedFeeOfTheFilledPart()
    {
        var reservation = Reservation.Create("o1", "SPY", OrderSide.Buy, 100m, 10_010m, price: 100m, estimatedFee: 10m);

        var afterFill = reservation.WithRemaining(40m);

        Assert.Equal((40m, 4_004m), (afterFill.RemainingQuantity, afterFill.Amount));
    }
}

