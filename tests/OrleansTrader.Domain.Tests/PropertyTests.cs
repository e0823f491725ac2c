using FsCheck;
using FsCheck.Fluent;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

public sealed class PropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    private sealed record Trade(bool Buy, int Quantity, int PriceCents, int FeeCents);

    private static readonly Gen<Trade> TradeGen =
        from buy in Gen.Elements(true, false)
        from quantity in Gen.Choose(1, 500)
        from price in Gen.Choose(1, 50_000)
        from fee in Gen.Choose(0, 500)
        select new Trade(buy, quantity, price, fee);

    private static Execution ToExecution(Trade trade, int index) => Exec(
        $"e{index}", trade.Buy ? OrderSide.Buy : OrderSide.Sell, trade.Quantity, trade.PriceCents / 100m, trade.FeeCents / 100m);

    [Fact]
    public void Fills_EndingFlat_NetPnlEqualsCashChange()
    {
        var scenario = from trades in Gen.ListOf(TradeGen)
                       from closePrice in Gen.Choose(1, 50_000)
                       from closeFee in Gen.Choose(0, 500)
                       select (trades, closePrice, closeFee);
        Check.One(Config, Prop.ForAll(scenario.ToArbitrary(), s =>
        {
            var ledger = AccountLedger.Open("a", AccountType.Margin, 0m);
            var index = 0;
            foreach (var trade in s.trades)
            {
                ledger = ledger.ApplyFill(ToExecution(trade, index++)).Ledger;
            }

            var open = ledger.PositionOf("SPY").Quantity;
            if (open != 0m)
            {
                var close = Exec("close", open > 0m ? OrderSide.Sell : OrderSide.Buy, Math.Abs(open), s.closePrice / 100m, s.closeFee / 100m);
                ledger = ledger.ApplyFill(close).Ledger;
            }

            return ledger.PositionOf("SPY").IsFlat
                && ledger.RealizedPnlTotal - ledger.FeesTotal == ledger.Cash
                && ledger.FeesTotal == s.trades.Sum(t => t.FeeCents / 100m) + (open != 0m ? s.closeFee / 100m : 0m);
        }));
    }

    [Fact]
    public void Position_QuantityEqualsSignedSumOfFills_AndRealizedPlusUnrealizedMatchesCash()
    {
        Check.One(Config, Prop.ForAll(Gen.ListOf(TradeGen).ToArbitrary(), trades =>
        {
            var ledger = AccountLedger.Open("a", AccountType.Margin, 0m);
            var index = 0;
            foreach (var trade in trades)
            {
                ledger = ledger.ApplyFill(ToExecution(trade, index++)).Ledger;
            }

            var position = ledger.PositionOf("SPY");
            var signedSum = trades.Sum(t => t.Buy ? (decimal)t.Quantity : -t.Quantity);
            const decimal mark = 123.45m;
            var gross = ledger.Cash + ledger.FeesTotal + position.MarketValue(mark);
            return position.Quantity == signedSum
                && position.RealizedPnl + position.UnrealizedPnl(mark) == gross;
        }));
    }

    private sealed record LedgerOp(int Kind, int Order, int Quantity);

    [Fact]
    public void Reservations_NeverNegative_AndBuyingPowerNeverNegative()
    {
        var opGen = from kind in Gen.Choose(0, 2)
                    from order in Gen.Choose(0, 4)
                    from quantity in Gen.Choose(1, 200)
                    select new LedgerOp(kind, order, quantity);
        Check.One(Config, Prop.ForAll(Gen.ListOf(opGen).ToArbitrary(), ops =>
        {
            var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m);
            var execution = 0;
            foreach (var op in ops)
            {
                var orderId = $"o{op.Order}";
                ledger = op.Kind switch
                {
                    0 => ledger.Reserve(orderId, "SPY", OrderSide.Buy, op.Quantity, op.Quantity * 10.5m + 1m).Value ?? ledger,
                    1 when ledger.Reservations.TryGetValue(orderId, out var r) => ledger.ApplyFill(
                        Exec($"x{execution++}", OrderSide.Buy, Math.Min(op.Quantity, r.RemainingQuantity), 10m, orderId: orderId)).Ledger,
                    _ => ledger.Release(orderId),
                };

                var valuation = ledger.Value(new Dictionary<string, decimal> { ["SPY"] = 10m }).GetValueOrThrow();
                if (ledger.Reservations.Values.Any(r => r.Amount < 0m || r.RemainingQuantity <= 0m) || ledger.ReservedTotal < 0m
                    || valuation.BuyingPower < 0m)
                {
                    return false;
                }
            }

            return true;
        }));
    }

    private sealed record FollowOp(int Kind, int Order, bool Buy, int Quantity, int PriceCents, int FeeCents);

    // docs/domain.md "Account ledger": after every reserve, fill and release the position is handed out again as closing
    // capacity to the open orders on the closing side, oldest first, and each holds (remaining - closing) x price plus its
    // share of the fee estimate. The expectation is computed here from that rule alone, over buys and sells that flip the
    // position, partial fills at other prices, and releases.
    [Fact]
    public void Reservations_FollowThePosition_OldestOrderClosesFirst()
    {
        var opGen = from kind in Gen.Choose(0, 2)
                    from order in Gen.Choose(0, 5)
                    from buy in Gen.Elements(true, false)
                    from quantity in Gen.Choose(1, 300)
                    from price in Gen.Choose(100, 20_000)
                    from fee in Gen.Choose(0, 500)
                    select new FollowOp(kind, order, buy, quantity, price, fee);
        Check.One(Config, Prop.ForAll(Gen.ListOf(opGen).ToArbitrary(), ops =>
        {
            var ledger = AccountLedger.Open("a", AccountType.Margin, 1_000_000m);
            var placed = new List<(string Id, OrderSide Side, decimal Original, decimal Price, decimal Fee)>();
            var remaining = new Dictionary<string, decimal>();
            var position = 0m;
            var execution = 0;
            foreach (var op in ops)
            {
                var orderId = $"o{op.Order}";
                if (op.Kind == 0 && !remaining.ContainsKey(orderId))
                {
                    var side = op.Buy ? OrderSide.Buy : OrderSide.Sell;
                    var (price, fee) = (op.PriceCents / 100m, op.FeeCents / 100m);
                    var amount = ledger.RequiredReservation("SPY", side, op.Quantity, price, fee);
                    ledger = ledger.Reserve(orderId, "SPY", side, op.Quantity, amount, price, fee).GetValueOrThrow();
                    placed.RemoveAll(p => p.Id == orderId);
                    placed.Add((orderId, side, op.Quantity, price, fee));
                    remaining[orderId] = op.Quantity;
                }
                else if (op.Kind == 1 && remaining.TryGetValue(orderId, out var left))
                {
                    var order = placed.Single(p => p.Id == orderId);
                    var quantity = Math.Min(op.Quantity, left);
                    ledger = ledger.ApplyFill(Exec($"x{execution++}", order.Side, quantity, op.PriceCents / 100m, orderId: orderId)).Ledger;
                    position += order.Side == OrderSide.Buy ? quantity : -quantity;
                    remaining[orderId] = left - quantity;
                    if (remaining[orderId] == 0m)
                    {
                        remaining.Remove(orderId);
                    }
                }
                else if (op.Kind == 2)
                {
                    ledger = ledger.Release(orderId);
                    remaining.Remove(orderId);
                }

                var expected = new Dictionary<string, decimal>();
                foreach (var side in new[] { OrderSide.Buy, OrderSide.Sell })
                {
                    var capacity = side == OrderSide.Sell ? Math.Max(0m, position) : Math.Max(0m, -position);
                    foreach (var order in placed.Where(p => p.Side == side && remaining.ContainsKey(p.Id)))
                    {
                        var open = remaining[order.Id];
                        var closing = Math.Min(capacity, open);
                        capacity -= closing;
                        expected[order.Id] = ((open - closing) * order.Price) + (order.Fee * open / order.Original);
                    }
                }

                var actual = ledger.Reservations.ToDictionary(r => r.Key, r => r.Value.Amount);
                if (expected.Count != actual.Count || expected.Any(e => !actual.TryGetValue(e.Key, out var a) || Math.Abs(a - e.Value) > 0.000000001m))
                {
                    return false;
                }
            }

            return true;
        }));
    }

    private sealed record RiskCase(bool Buy, int Quantity, int LimitCents, int PositionQuantity, int CashThousands, bool Margin, int OpenOrders,
        int MaxOrderNotionalThousands, int MaxPositionPercent, TradingState State);

    [Fact]
    public void Risk_NeverApprovesAnOrderThatBreaksALimit()
    {
        var caseGen = from buy in Gen.Elements(true, false)
                      from quantity in Gen.Choose(-2, 800)
                      from limit in Gen.Choose(9_000, 11_000)
                      from position in Gen.Choose(-500, 500)
                      from cash in Gen.Choose(0, 300)
                      from margin in Gen.Elements(true, false)
                      from openOrders in Gen.Choose(0, 104)
                      from maxNotional in Gen.Choose(1, 200)
                      from maxPercent in Gen.Choose(5, 100)
                      from state in Gen.Elements(TradingState.Active, TradingState.Active, TradingState.Active, TradingState.Reducing, TradingState.Halted)
                      select new RiskCase(buy, quantity, limit, position, cash, margin, openOrders, maxNotional, maxPercent, state);
        var fees = new PerShareFeeModel(0.005m, 1m, 0.5m, RegulatoryFees.Default);
        var approvals = 0;
        var denials = 0;
        Check.One(Config.WithMaxTest(500), Prop.ForAll(caseGen.ToArbitrary(), c =>
        {
            var type = c.Margin ? AccountType.Margin : AccountType.Cash;
            var ledger = AccountLedger.Open("a", type, c.CashThousands * 1_000m + 100_000m);
            if (c.PositionQuantity != 0 && (c.Margin || c.PositionQuantity > 0))
            {
                ledger = ledger.ApplyFill(Exec("seed", c.PositionQuantity > 0 ? OrderSide.Buy : OrderSide.Sell, Math.Abs(c.PositionQuantity), 100m)).Ledger;
            }

            ledger = ledger with { Cash = ledger.Cash - 100_000m };
            var valuation = ledger.Value(new Dictionary<string, decimal> { ["SPY"] = 100m }).GetValueOrThrow();
            var limits = RiskLimits.Default with
            {
                MaxOrderNotional = c.MaxOrderNotionalThousands * 1_000m,
                MaxPositionPercentOfEquity = c.MaxPositionPercent,
            };
            var side = c.Buy ? OrderSide.Buy : OrderSide.Sell;
            var request = LimitOrder(side, c.Quantity, c.LimitCents / 100m);
            var input = new RiskInput
            {
                Request = request,
                Now = T0,
                TradingState = c.State,
                Limits = limits,
                Instrument = Spy,
                Calendar = AlwaysOpenCalendar.Instance,
                Quote = Quote(99.99m, 100.01m),
                LastPrice = 100m,
                Account = ledger,
                Valuation = valuation,
                FeeModel = fees,
                OpenOrderCount = c.OpenOrders,
            };

            var decision = RiskEngine.Default.Evaluate(input);
            if (!decision.Approved)
            {
                denials++;
                return decision.MaxQuantity is null || decision.MaxQuantity < request.Quantity;
            }

            approvals++;

            // A sell limit below the bid (99.99) sells at the bid: that is the price it is valued at.
            var price = c.Buy ? request.LimitPrice!.Value : Math.Max(request.LimitPrice!.Value, 99.99m);
            var position = ledger.PositionOf("SPY").Quantity;
            var after = position + (c.Buy ? request.Quantity : -request.Quantity);
            var positionCap = Math.Min(limits.MaxPositionNotional, Math.Max(0m, valuation.Equity) * limits.MaxPositionPercentOfEquity / 100m);
            var opening = ledger.OpeningQuantity("SPY", side, request.Quantity);
            var required = opening * price + fees.Calculate(new FeeInput(side, request.Quantity, price) { TradeDate = NyseCalendar.ExchangeDate(T0) }).Total;
            return c.State != TradingState.Halted
                && (c.State != TradingState.Reducing || opening == 0m)
                && request.Quantity > 0m && request.Quantity <= Spy.MaxQuantity
                && request.Quantity * price <= limits.MaxOrderNotional
                && (Math.Abs(after) <= Math.Abs(position) || Math.Abs(after) * price <= positionCap)
                && c.OpenOrders < limits.MaxOpenOrders
                && (opening == 0m || side == OrderSide.Buy || c.Margin)
                && (opening == 0m || required <= valuation.BuyingPower)
                && decision.RequiredReservation == required;
        }));

        // The property must see both outcomes, or it proves nothing.
        Assert.True(approvals >= 10, $"only {approvals} approvals");
        Assert.True(denials >= 10, $"only {denials} denials");
    }

    [Fact]
    public void RiskWithReservation_ManyOrdersInOneWriter_NeverOverCommitBuyingPower()
    {
        var orders = Gen.ListOf(Gen.Choose(1, 30), 200);
        Check.One(Config.WithMaxTest(25), Prop.ForAll(orders.ToArbitrary(), quantities =>
        {
            var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m);
            var fees = new PerShareFeeModel(0.005m, 1m, 0.5m, null);
            var limits = RiskLimits.Default with { MaxPositionPercentOfEquity = 1_000m, MaxOpenOrders = 1_000, MaxSubmitsPerWindow = 1_000 };
            var approved = 0;
            var index = 0;
            foreach (var quantity in quantities)
            {
                var input = new RiskInput
                {
                    Request = LimitOrder(OrderSide.Buy, quantity, 100m),
                    Now = T0,
                    TradingState = TradingState.Active,
                    Limits = limits,
                    Instrument = Spy,
                    Calendar = AlwaysOpenCalendar.Instance,
                    Quote = Quote(99.99m, 100.01m),
                    LastPrice = 100m,
                    Account = ledger,
                    Valuation = ledger.Value(new Dictionary<string, decimal>()).GetValueOrThrow(),
                    FeeModel = fees,
                    OpenOrderCount = ledger.Reservations.Count,
                };
                var decision = RiskEngine.Default.Evaluate(input);
                if (decision.Approved)
                {
                    ledger = ledger.Reserve($"o{index}", "SPY", OrderSide.Buy, quantity, decision.RequiredReservation!.Value).GetValueOrThrow();
                    approved++;
                }

                index++;
            }

            // 10,000 buys at most 99 shares at $100 plus $1 fees; the book must be full to within one order.
            var reserved = ledger.ReservedTotal;
            return reserved <= 10_000m && reserved > 10_000m - (30m * 100m) - 1m && approved > 0
                && ledger.Reservations.Values.Sum(r => r.RemainingQuantity) <= 99m;
        }));
    }

    [Fact]
    public void Risk_MaxQuantityWhenGiven_PassesThatLimit()
    {
        var caseGen = from quantity in Gen.Choose(1, 5_000)
                      from cash in Gen.Choose(1, 200)
                      select (quantity, cash);
        var retried = 0;
        Check.One(Config, Prop.ForAll(caseGen.ToArbitrary(), c =>
        {
            var ledger = AccountLedger.Open("a", AccountType.Cash, c.cash * 1_000m);
            var input = new RiskInput
            {
                Request = LimitOrder(OrderSide.Buy, c.quantity, 100m),
                Now = T0,
                TradingState = TradingState.Active,
                Limits = RiskLimits.Default,
                Instrument = Spy,
                Calendar = AlwaysOpenCalendar.Instance,
                Quote = Quote(99.99m, 100.01m),
                LastPrice = 100m,
                Account = ledger,
                Valuation = ledger.Value(new Dictionary<string, decimal>()).GetValueOrThrow(),
                FeeModel = new PerShareFeeModel(0.005m, 1m, 0.5m, null),
            };

            var decision = RiskEngine.Default.Evaluate(input);
            if (decision.Approved || decision.MaxQuantity is not { } max || max == 0m)
            {
                return true;
            }

            retried++;
            var retry = RiskEngine.Default.Evaluate(input with { Request = input.Request with { Quantity = max } });
            var oneMore = RiskEngine.Default.Evaluate(input with { Request = input.Request with { Quantity = max + 1m } });
            return retry.ReasonCode != decision.ReasonCode && !oneMore.Approved;
        }));

        Assert.True(retried >= 10, $"only {retried} denials with a maximum quantity");
    }
}
