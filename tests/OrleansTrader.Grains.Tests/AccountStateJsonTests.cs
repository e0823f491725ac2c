using System.Buffers;
using System.Text;
using System.Text.Json.Serialization;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Domain.Statistics;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Trades;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The account's records are stored compactly (no nulls, no computed properties): every stored value must come back,
/// and records written in the older, complete form must still load.
/// </summary>
public sealed class AccountStateJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);
    private readonly JsonGrainStateSerializer _compact = new([AccountStateJsonContext.Default]);
    private readonly JsonGrainStateSerializer _complete = new([CompleteAccountJsonContext.Default]);

    [Fact]
    public void AccountState_RoundTrips_WithoutLosingAStoredValue()
    {
        var original = RealisticState();

        var stored = _compact.Serialize(original);
        var loaded = _compact.Deserialize<AccountState>(stored);

        // The complete form writes every property, computed ones included: equal output means equal content.
        Assert.Equal(Complete(original), Complete(loaded));
        var json = Encoding.UTF8.GetString(stored);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"IsFlat\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"AverageEntryPrice\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"ReservedTotal\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"RegulatoryFees\"", json, StringComparison.Ordinal);
        Assert.True(stored.Length < _complete.Serialize(original).Length, $"compact {stored.Length} bytes");
    }

    // The core record is written on every order: an account that reported no correction writes nothing for them, and a
    // record stored before they were kept reads as none reported.
    [Fact]
    public void ReportedCorrections_RoundTrip_AndNoneIsWrittenAsNothing()
    {
        var none = RealisticState();
        var corrected = RealisticState();
        corrected.ReportedCorrections = [new ReportedCorrection { ExecutionId = "e-3", Quantity = 5m, Price = 99.75m, Timestamp = At }];

        var stored = _compact.Serialize(none);
        var loaded = _compact.Deserialize<AccountState>(_compact.Serialize(corrected));

        Assert.DoesNotContain("ReportedCorrections", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Null(_compact.Deserialize<AccountState>(stored).ReportedCorrections);
        Assert.Equal(Complete(corrected), Complete(loaded));
        Assert.Equal(corrected.ReportedCorrections, loaded.ReportedCorrections);
    }

    // The core record is written twice per order. The working orders' converter puts it on System.Text.Json's slow path,
    // where a nested record pushed a frame and so allocated the frame stack (312 B) on every write; counted, not timed.
    [Fact]
    public void WritingTheCoreRecord_AllocatesNoFrameStack()
    {
        var state = RealisticState();
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        for (var i = 0; i < 3; i++)
        {
            // Warm: the type infos and the thread's writer are made once.
            _compact.Serialize(state, output);
            output.ResetWrittenCount();
        }

        const int Writes = 20;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Writes; i++)
        {
            _compact.Serialize(state, output);
            output.ResetWrittenCount();
        }

        var perWrite = (GC.GetAllocatedBytesForCurrentThread() - before) / Writes;
        Assert.True(perWrite == 0, $"{perWrite} bytes allocated per core write");
    }

    [Fact]
    public void TheDaysRecord_RoundTrips_WithoutItsComputedPnl()
    {
        var days = new AccountDays
        {
            Days =
            [
                new AccountDay
                {
                    Date = new DateOnly(2026, 3, 2), Closed = true, StartedAt = At, EndedAt = At.AddDays(1), StartEquity = 100_000m,
                    EndEquity = 100_512.3456m, RealizedPnl = 500m, Fees = 0.0123m, Fills = 7,
                },
            ],
        };

        var stored = _compact.Serialize(days);
        var loaded = _compact.Deserialize<AccountDays>(stored);

        Assert.Equal(days.Days, loaded.Days);
        Assert.Equal(512.3456m, loaded.Days[0].Pnl);
        Assert.DoesNotContain("\"Pnl\"", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
    }

    [Fact]
    public void ManyWorkingOrders_AreWrittenAlike_FromTheCacheOrNot_AndReadBack()
    {
        var state = RealisticState();
        var template = state.WorkingOrders["O000000003"];
        for (var i = 0; i < 20; i++)
        {
            var orderId = $"R{i:D9}";
            state.WorkingOrders[orderId] = template with { Order = template.Order with { OrderId = orderId }, BrokerOrderId = $"B-R{i}" };
        }

        Assert.True(state.WorkingOrders.Count >= WorkingOrdersJsonConverter.CacheFrom);
        var first = _compact.Serialize(state);
        var second = _compact.Serialize(state);

        // One order changed (a new instance): only it is serialized again, and the record says so.
        state.WorkingOrders["R000000007"] = state.WorkingOrders["R000000007"] with { InFlight = true };
        var changed = _compact.Serialize(state);

        Assert.Equal(first, second);
        Assert.NotEqual(first, changed);
        var loaded = _compact.Deserialize<AccountState>(changed);
        Assert.Equal(Complete(state), Complete(loaded));
        Assert.True(loaded.WorkingOrders["R000000007"].InFlight);

        // The buffer overload (used by memory storage) writes the same bytes, cached orders included.
        var buffered = new ArrayBufferWriter<byte>();
        _compact.Serialize(state, buffered);
        Assert.Equal(changed, buffered.WrittenSpan.ToArray());

        // The same shape the default dictionary serialization wrote: the complete form (no cache) reads back as well.
        Assert.Equal(Complete(state), Complete(_compact.Deserialize<AccountState>(_complete.Serialize(state))));
    }

    [Fact]
    public void AccountHistoryPage_RoundTrips_WithoutLosingAStoredValue()
    {
        var original = RealisticState().HistoryTail;

        var loaded = _compact.Deserialize<AccountHistoryPage>(_compact.Serialize(original));

        Assert.Equal(Encoding.UTF8.GetString(_complete.Serialize(original)), Encoding.UTF8.GetString(_complete.Serialize(loaded)));
        Assert.Equal(original.Count, loaded.Count);
    }

    [Fact]
    public void AccountSettings_RoundTrip_WithoutLosingAStoredValue()
    {
        var original = new AccountSettings
        {
            FeeModel = FeeModelSpec.Default with { Kind = FeeModelKind.BasisPoints, BasisPoints = 2.5m, IncludeRegulatoryFees = false },
            RiskLimits = RiskLimits.Default with { MaxOpenOrders = 7, SubmitWindow = TimeSpan.FromSeconds(90), RequireMarketOpen = false },
            BreakerPolicy = BreakerPolicy.Default with { DailyLossLimit = 1_234m, MinErrorSamples = 3 },
        };

        Assert.Equal(original, _compact.Deserialize<AccountSettings>(_compact.Serialize(original)));
    }

    /// <summary>
    /// An account's settings as every build before dated regulatory rates (ec41978) stored them: no
    /// "DatedRegulatoryRates". They read false there (an init-only bool the stored JSON lacks is set to false, not left at
    /// its initializer), so every account opened before the upgrade paid the fixed rates instead of the dated ones.
    /// </summary>
    [Fact]
    public void AccountSettings_StoredBeforeDatedRegulatoryRates_ReadWithThemOn_AndAreWrittenAsBefore()
    {
        const string Written = """{"FeeModel":{"Kind":"ZeroCommission","PerShareRate":0.005,"MinimumPerOrder":1.00,"MaxPercentOfNotional":0.5,"BasisPoints":1,"IncludeRegulatoryFees":true,"SecFeePerMillion":27.80,"TafPerShare":0.000166,"TafMaxPerTrade":8.30,"DatedRegulatoryRates":true},"RiskLimits":{"MaxOrderNotional":100000,"MaxPositionNotional":250000,"MaxPositionPercentOfEquity":25,"MaxOpenOrders":100,"MaxSubmitsPerWindow":60,"SubmitWindow":"00:01:00","MaxQuoteAge":"00:00:30","PriceBandPercent":10,"AllowShortSelling":true,"RequireMarketOpen":true},"BreakerPolicy":{"DailyLossLimit":5000,"MaxDrawdownPercent":10,"MaxBrokerErrorRate":0.5,"ErrorWindow":"00:05:00","MinErrorSamples":10,"StaleDataMaxAge":"00:01:00"}}""";
        var old = Written.Replace(",\"DatedRegulatoryRates\":true", string.Empty, StringComparison.Ordinal);
        Assert.NotEqual(Written, old);

        var loaded = _compact.Deserialize<AccountSettings>(Encoding.UTF8.GetBytes(old));

        Assert.True(loaded.FeeModel.DatedRegulatoryRates);
        Assert.True(loaded.FeeModel.RegulatoryFees?.Dated);
        Assert.Equal(new AccountSettings(), loaded);

        // What is written did not change: a new account's settings, and the old ones written again.
        Assert.Equal(Written, Encoding.UTF8.GetString(_compact.Serialize(new AccountSettings())));
        Assert.Equal(Written, Encoding.UTF8.GetString(_compact.Serialize(loaded)));
        Assert.False(_compact.Deserialize<AccountSettings>(
            Encoding.UTF8.GetBytes(Written.Replace("\"DatedRegulatoryRates\":true", "\"DatedRegulatoryRates\":false", StringComparison.Ordinal))).FeeModel.DatedRegulatoryRates);
    }

    [Fact]
    public void RecordsInTheOlderCompleteForm_StillLoad()
    {
        var original = RealisticState();

        var loaded = _compact.Deserialize<AccountState>(_complete.Serialize(original));
        var page = _compact.Deserialize<AccountHistoryPage>(_complete.Serialize(original.HistoryTail));

        Assert.Equal(Complete(original), Complete(loaded));
        Assert.Equal(Encoding.UTF8.GetString(_complete.Serialize(original.HistoryTail)), Encoding.UTF8.GetString(_complete.Serialize(page)));
    }

    private string Complete(AccountState state) => Encoding.UTF8.GetString(_complete.Serialize(state));

    /// <summary>An account with a position, realized P&amp;L, a reservation, working orders (one partly filled, one a bracket) and history of every kind.</summary>
    private static AccountState RealisticState()
    {
        var buy = Request("c-1", OrderSide.Buy, OrderType.Market, 10m);
        var sell = Request("c-2", OrderSide.Sell, OrderType.Market, 4m);
        var ledger = AccountLedger.Open("acc", AccountType.Margin, 100_000m).StartDay(100_000m);
        ledger = ledger.ApplyFill(Fill("e-1", "O000000001", buy, 10m, 101.25m, 0.37m)).Ledger;
        ledger = ledger.ApplyFill(Fill("e-2", "O000000002", sell, 4m, 103.5m, 0.11m)).Ledger;
        var limit = Request("c-3", OrderSide.Buy, OrderType.Limit, 20m) with
        {
            LimitPrice = 99.5m,
            TimeInForce = TimeInForce.Gtc,
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 110m),
            StopLoss = new ExitLeg(StopPrice: 95m, LimitPrice: 94.5m),
        };
        ledger = ledger.Reserve("O000000003", "SPY", OrderSide.Buy, 20m, 1_990.4m).GetValueOrThrow();
        ledger = ledger.Reserve("O000000003-exits", "SPY", OrderSide.Sell, 5m, 0.02m, 110m, 0.02m).GetValueOrThrow();
        var partial = Order.Create("O000000003", limit, At).Apply(OrderEvent.Accept, At).GetValueOrThrow();
        partial = partial.ApplyFill(Fill("e-3", "O000000003", limit, 5m, 99.5m, 0m)).GetValueOrThrow().Order;
        var inFlight = Order.Create("O000000004", Request("c-4", OrderSide.Sell, OrderType.Market, 1m), At) with { ParentOrderId = "O000000003" };
        var view = new AccountOrder
        {
            OrderId = "O000000003", ClientOrderId = "c-3", BrokerOrderId = "B-3", Symbol = "SPY", Side = OrderSide.Buy,
            Type = OrderType.Limit, TimeInForce = TimeInForce.Gtc, Quantity = 20m, FilledQuantity = 5m, LeavesQuantity = 15m,
            AverageFillPrice = 99.5m, LimitPrice = 99.5m, Status = OrderStatus.PartiallyFilled, Origin = "api", CreatedAt = At, UpdatedAt = At,
            OrderClass = OrderClass.Bracket, TakeProfit = new ExitLeg(LimitPrice: 110m), StopLoss = new ExitLeg(StopPrice: 95m, LimitPrice: 94.5m),
        };
        var fill = new AccountFill
        {
            Sequence = 3, ExecutionId = "e-3", OrderId = "O000000003", ClientOrderId = "c-3", Symbol = "SPY", Side = OrderSide.Buy,
            Quantity = 5m, Price = 99.5m, Fee = 0m, RealizedPnl = 0m, Timestamp = At,
        };
        var tail = new AccountHistoryPage
        {
            Events =
            [
                new AccountEvent { Sequence = 7, AccountId = "acc", Timestamp = At, Kind = AccountEventKind.OrderUpdated, Order = view },
                new AccountEvent { Sequence = 8, AccountId = "acc", Timestamp = At, Kind = AccountEventKind.Fill, Fill = fill },
                new AccountEvent
                {
                    Sequence = 9, AccountId = "acc", Timestamp = At, Kind = AccountEventKind.BreakerChanged,
                    Breaker = new BreakerSnapshot
                    {
                        BreakerId = "acc", State = TradingState.Reducing, Since = At, LastTrigger = BreakerTrigger.DailyLoss,
                        LastReason = "loss", LastActor = "breaker", Version = 2,
                    },
                },
            ],
            Journal =
            [
                new JournalEntry
                {
                    Sequence = 5, Timestamp = At, OrderId = "O000000003", ClientOrderId = "c-3", Symbol = "SPY", From = OrderStatus.PendingNew,
                    To = OrderStatus.Accepted, Action = "accepted", RiskReasonCode = "OK", Detail = "broker order B-3",
                },
                new JournalEntry
                {
                    Sequence = 6, Timestamp = At, OrderId = "O000000004", ClientOrderId = "c-4", Symbol = "SPY", To = OrderStatus.PendingNew,
                    Action = "submitted",
                },
            ],
            Fills = [fill],
        };
        return new AccountState
        {
            IsOpen = true,
            Name = "Realistic",
            Currency = "EUR",
            Broker = "paper",
            FeeModel = FeeModelSpec.Default with { Kind = FeeModelKind.PerShare, IncludeRegulatoryFees = false, PerShareRate = 0.004m },
            RiskLimits = RiskLimits.Default with { MaxOpenOrders = 7, SubmitWindow = TimeSpan.FromSeconds(90), AllowShortSelling = false },
            BreakerPolicy = BreakerPolicy.Default with { DailyLossLimit = 1_234m, ErrorWindow = TimeSpan.FromMinutes(2) },
            OpenedAt = At,
            Ledger = ledger.MarkEquity(101_000m),
            TradingDay = DateOnly.FromDateTime(At.UtcDateTime),
            DayStart = new AccountDayStart { StartedAt = At, RealizedPnl = 12.5m, Fees = 0.0049m, FillSequence = 2 },
            LastOrderNumber = 4,
            LastEventSequence = 9,
            LastFillSequence = 3,
            LastJournalSequence = 6,
            WorkingOrders = new(StringComparer.Ordinal)
            {
                ["O000000003"] = new WorkingOrder { Order = partial, BrokerOrderId = "B-3", Origin = "api" },
                ["O000000004"] = new WorkingOrder { Order = inFlight, InFlight = true, Origin = "strategy:mom", ReservationId = "O000000003-exits" },
            },
            LastExecutionAt = At,
            ExecutionsForgottenThrough = At.AddHours(-1),
            FirstHistoryPage = 2,
            CurrentHistoryPage = 5,
            HistoryTail = tail,
            Trades = new TradeState
            {
                LastNumber = 3,
                Open = new(StringComparer.Ordinal)
                {
                ["SPY"] = new OpenRoundTrip
                {
                    Symbol = "SPY", IsLong = true, EntryTime = At.AddTicks(1_234_567), Opened = 10m, OpenedNotional = 1_012.5m, Closed = 4m,
                    ClosedNotional = 414m, RealizedPnl = 9m, Fees = 0.48m,
                },
                ["QQQ"] = new OpenRoundTrip { Symbol = "QQQ", IsLong = false, Opened = 0.5m, OpenedNotional = 201.123456789m },
                },
            },
        };
    }

    private static OrderRequest Request(string clientOrderId, OrderSide side, OrderType type, decimal quantity) => new()
    {
        ClientOrderId = clientOrderId, Symbol = "SPY", Side = side, Type = type, Quantity = quantity,
    };

    private static Execution Fill(string executionId, string orderId, OrderRequest request, decimal quantity, decimal price, decimal fee) => new()
    {
        ExecutionId = executionId, OrderId = orderId, ClientOrderId = request.ClientOrderId, Symbol = request.Symbol, Side = request.Side,
        Quantity = quantity, Price = price, Fee = fee, Liquidity = Liquidity.Taker, Timestamp = At,
    };
}

/// <summary>The complete JSON form the account records were stored in before (every property, nulls included).</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(AccountState))]
[JsonSerializable(typeof(AccountHistoryPage))]
[JsonSerializable(typeof(WorkingOrder))]
internal sealed partial class CompleteAccountJsonContext : JsonSerializerContext;
