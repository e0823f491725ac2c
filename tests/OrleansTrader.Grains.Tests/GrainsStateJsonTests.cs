using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Breakers;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The grains' records and the execution reports on the fills stream are written without null properties; they must
/// read back the same, and records written before, with explicit nulls, must still read as they did.
/// </summary>
public sealed class GrainsStateJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);
    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);
    private readonly JsonGrainStateSerializer _complete = new([CompleteGrainsJsonContext.Default]);

    /// <summary>A fill report as the fills stream held it before nulls were left out (taken from a benchmark run).</summary>
    private const string FillReportWithNulls =
        """{"Kind":"Fill","Order":{"OrderId":"01a23435-d946-7021-8136-54c4887528b1","ClientOrderId":"m87-24","Symbol":"IBM","Side":"Buy","Type":"Market","TimeInForce":"Day","OrderClass":"Simple","Quantity":1,"FilledQuantity":1,"AverageFillPrice":100,"LimitPrice":null,"StopPrice":null,"TrailPrice":null,"TrailPercent":null,"Status":"Filled","CreatedAt":"2026-12-02T00:44:33.9909247+00:00","UpdatedAt":"2026-12-02T00:44:33.9909247+00:00","ReplacedByOrderId":null,"ReplacesOrderId":null,"ParentOrderId":null,"Legs":[],"Reason":null},"Timestamp":"2026-12-02T00:44:33.9909247+00:00","Execution":{"ExecutionId":"01a23435-d946-7021-8136-54c4887528b1-1","OrderId":"01a23435-d946-7021-8136-54c4887528b1","ClientOrderId":"m87-24","Symbol":"IBM","Side":"Buy","Quantity":1,"Price":100,"Fee":0,"Liquidity":"Taker","Timestamp":"2026-12-02T00:44:33.9909247+00:00"},"Reason":null}""";

    [Theory]
    [MemberData(nameof(Reports))]
    public void ExecutionReport_IsWrittenWithoutNulls_AndReadsBackTheSame(ExecutionReport original)
    {
        var stored = _serializer.Serialize(original);
        var loaded = _serializer.Deserialize<ExecutionReport>(stored);

        Assert.DoesNotContain("null", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Equal(Complete(original), Complete(loaded));
        Assert.True(stored.Length < _complete.Serialize(original).Length);
    }

    [Theory]
    [MemberData(nameof(Reports))]
    public void ExecutionReport_WrittenWithExplicitNulls_ReadsAsBefore(ExecutionReport original)
    {
        var old = _complete.Serialize(original);
        Assert.Contains("null", Encoding.UTF8.GetString(old), StringComparison.Ordinal);

        Assert.Equal(Complete(original), Complete(_serializer.Deserialize<ExecutionReport>(old)));
    }

    [Fact]
    public void BreakerState_StoredBeforeOutcomeCounts_ReadsEachOutcomeAsOneCall()
    {
        const string Old = """{"Outcomes":[{"At":"2026-03-10T14:00:00+00:00","IsError":true},{"At":"2026-03-10T14:00:01+00:00","IsError":false}]}""";

        var loaded = _serializer.Deserialize<BreakerState>(Encoding.UTF8.GetBytes(Old));

        Assert.Equal([1, 1], loaded.Outcomes.Select(o => o.Count));
        Assert.Equal([true, false], loaded.Outcomes.Select(o => o.IsError));
        var again = _serializer.Deserialize<BreakerState>(_serializer.Serialize(loaded with { Outcomes = [loaded.Outcomes[0] with { Count = 7 }] }));
        Assert.Equal(7, Assert.Single(again.Outcomes).Count);
    }

    /// <summary>
    /// A breaker as a build of 2026-12-01 (126d05b) stored it, before a forced reset's overrides were kept: its status has no
    /// "Overridden". Read with null there, every evaluation of the upgraded silo threw, so no trigger (loss, drawdown,
    /// broker errors, stale data) could trip the breaker, and the log had an error every second.
    /// </summary>
    [Fact]
    public void BreakerState_StoredBeforeOverrides_ReadsWithNone_AndEvaluates()
    {
        const string Old = """{"Status":{"State":"Active","Since":"2026-12-05T14:43:43.2962921+00:00","LastTrigger":"Reset"},"Version":2,"LastReason":"audit reset","LastActor":"key:key_f659ba6e0d7f13a3","Policy":{"DailyLossLimit":5000,"MaxDrawdownPercent":10,"MaxBrokerErrorRate":0.5,"ErrorWindow":"00:05:00","MinErrorSamples":10,"StaleDataMaxAge":"00:01:00"},"DayPnl":-2.32,"Equity":99997.68,"HighWaterMark":100000,"LastMarketDataAt":null,"Outcomes":[{"At":"2026-12-05T14:43:04.9883898+00:00","IsError":false}],"Audit":[{"Version":1,"Transition":{"From":"Active","To":"Reducing","Trigger":"Manual","Actor":"key:key_f659ba6e0d7f13a3","Reason":"audit trip","Timestamp":"2026-12-05T14:43:41.1344056+00:00","Values":{},"Forced":false}},{"Version":2,"Transition":{"From":"Reducing","To":"Active","Trigger":"Reset","Actor":"key:key_f659ba6e0d7f13a3","Reason":"audit reset","Timestamp":"2026-12-05T14:43:43.2962921+00:00","Values":{},"Forced":false}}],"Listeners":[]}""";

        var loaded = _serializer.Deserialize<BreakerState>(Encoding.UTF8.GetBytes(Old));

        Assert.Equal((TradingState.Active, BreakerTrigger.Reset), (loaded.Status.State, loaded.Status.LastTrigger));
        Assert.NotNull(loaded.Status.Overridden);
        Assert.Empty(loaded.Status.Overridden);
        Assert.Equal(2, loaded.Version);
        Assert.Equal(2, loaded.Audit.Count);

        // Its next evaluation works, and trips on a loss past the stored policy's limit.
        var now = new DateTimeOffset(2026, 12, 5, 15, 0, 0, TimeSpan.Zero);
        var quiet = CircuitBreaker.Evaluate(loaded.Status, loaded.Policy, new BreakerSignals { DayPnl = -2.32m }, now);
        Assert.True(quiet.IsSuccess);
        Assert.Empty(quiet.Value!.Transitions);
        var loss = CircuitBreaker.Evaluate(loaded.Status, loaded.Policy, new BreakerSignals { DayPnl = -6_000m }, now);
        Assert.Equal(TradingState.Reducing, loss.Value!.Status.State);

        // An explicit null (the complete form) reads the same.
        var withNull = Old.Replace("\"LastTrigger\":\"Reset\"}", "\"LastTrigger\":\"Reset\",\"Overridden\":null}", StringComparison.Ordinal);
        Assert.Contains("\"Overridden\":null", withNull, StringComparison.Ordinal);
        Assert.Empty(_serializer.Deserialize<BreakerState>(Encoding.UTF8.GetBytes(withNull)).Status.Overridden);
    }

    [Fact]
    public void ExecutionReport_StoredBeforeWithNulls_Reads()
    {
        var loaded = _serializer.Deserialize<ExecutionReport>(Encoding.UTF8.GetBytes(FillReportWithNulls));

        Assert.Equal(ExecutionReportKind.Fill, loaded.Kind);
        Assert.Null(loaded.Reason);
        Assert.Null(loaded.Order.LimitPrice);
        Assert.Null(loaded.Order.ReplacesOrderId);
        Assert.Null(loaded.Order.Reason);
        Assert.Empty(loaded.Order.Legs);
        Assert.Equal(100m, loaded.Order.AverageFillPrice);
        Assert.Equal("01a23435-d946-7021-8136-54c4887528b1-1", loaded.Execution?.ExecutionId);
        Assert.Equal(Liquidity.Taker, loaded.Execution?.Liquidity);

        // Written again it is the same report, only without its nulls.
        var rewritten = Encoding.UTF8.GetString(_serializer.Serialize(loaded));
        Assert.Equal(FillReportWithNulls.Replace(",\"LimitPrice\":null,\"StopPrice\":null,\"TrailPrice\":null,\"TrailPercent\":null", string.Empty, StringComparison.Ordinal)
            .Replace(",\"ReplacedByOrderId\":null,\"ReplacesOrderId\":null,\"ParentOrderId\":null", string.Empty, StringComparison.Ordinal)
            .Replace(",\"Reason\":null", string.Empty, StringComparison.Ordinal), rewritten);
    }

    [Fact]
    public void PaperVenueDelta_WrittenWithExplicitNulls_ReadsAsBefore()
    {
        const string old = """{"Number":7,"Change":null,"Orders":null,"RemovedOrderIds":["a"],"Groups":null,"RemovedGroupIds":null,"Positions":null,"RemovedSymbols":null,"Executions":null,"NextSequence":9,"ArchivedBefore":null}""";

        var change = _serializer.Deserialize<PaperVenueDelta>(Encoding.UTF8.GetBytes(old)).ToChange();

        Assert.Equal(["a"], change.RemovedOrderIds);
        Assert.Empty(change.Orders);
        Assert.Empty(change.AddedExecutions);
        Assert.Equal(9, change.NextSequence);
        Assert.Null(change.ArchivedBefore);
    }

    /// <summary>
    /// Leaving a null out reads back the same only while the value a missing property gets is null: no nullable
    /// property of a type in the context may have a non-null initializer or constructor default, or be required.
    /// </summary>
    [Fact]
    public void EveryNullableProperty_InTheContext_ReadsAsNullWhenLeftOut()
    {
        var context = GrainsStateJsonContext.Default;
        var roots = typeof(GrainsStateJsonContext).CustomAttributes
            .Where(a => a.AttributeType == typeof(JsonSerializableAttribute))
            .Select(a => (Type)a.ConstructorArguments[0].Value!);
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(roots);
        var problems = new List<string>();
        var checkedProperties = 0;
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type) || context.GetTypeInfo(type) is not { } info)
            {
                continue;
            }

            foreach (var next in new[] { info.ElementType, info.KeyType }.OfType<Type>())
            {
                pending.Enqueue(next);
            }

            foreach (var derived in info.PolymorphismOptions?.DerivedTypes ?? [])
            {
                pending.Enqueue(derived.DerivedType);
            }

            // An abstract base is read as one of its derived types, which are checked with its properties.
            if (info.Kind != JsonTypeInfoKind.Object || type.IsAbstract)
            {
                continue;
            }

            var instance = type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes) is null
                ? null
                : Activator.CreateInstance(type, nonPublic: true);
            foreach (var property in info.Properties)
            {
                pending.Enqueue(property.PropertyType);
                if (!CanBeNull(property) || (property.Set is null && property.AssociatedParameter is null))
                {
                    continue;
                }

                checkedProperties++;
                var name = $"{type.Name}.{property.Name}";
                if (property.IsRequired)
                {
                    problems.Add($"{name} is required");
                }
                else if (property.AssociatedParameter is { } parameter && parameter.DefaultValue is not null)
                {
                    problems.Add($"{name} defaults to {parameter.DefaultValue}");
                }
                else if (property.AssociatedParameter is null && instance is null)
                {
                    problems.Add($"{name}: {type.Name} has no parameterless constructor to check its initializer");
                }
                else if (property.AssociatedParameter is null && property.Get!(instance!) is { } initial)
                {
                    problems.Add($"{name} is initialized to {initial}");
                }
            }
        }

        Assert.Empty(problems);
        Assert.True(checkedProperties > 20, $"only {checkedProperties} nullable properties found");
    }

    public static TheoryData<ExecutionReport> Reports()
    {
        var filled = BrokerOrder(OrderStatus.Filled) with { FilledQuantity = 3m, AverageFillPrice = 101.5m };
        var execution = new Execution
        {
            ExecutionId = "o-1-1",
            OrderId = "o-1",
            ClientOrderId = "c-1",
            Symbol = "AAPL",
            Side = OrderSide.Buy,
            Quantity = 3m,
            Price = 101.5m,
            Fee = 0.01m,
            Liquidity = Liquidity.Taker,
            Timestamp = At,
        };
        var leg = BrokerOrder(OrderStatus.PendingNew) with { OrderId = "o-2", ClientOrderId = "o-2", ParentOrderId = "o-1", Side = OrderSide.Sell, LimitPrice = 110m };
        return new TheoryData<ExecutionReport>(
            new ExecutionReport(ExecutionReportKind.Accepted, BrokerOrder(OrderStatus.Accepted), At),
            new ExecutionReport(ExecutionReportKind.Fill, filled, At, execution),
            new ExecutionReport(ExecutionReportKind.Canceled, BrokerOrder(OrderStatus.Canceled) with { Reason = "CANCELED_BY_CLIENT", Legs = [leg] },
                At, Reason: "CANCELED_BY_CLIENT"));
    }

    private static BrokerOrder BrokerOrder(OrderStatus status) => new()
    {
        OrderId = "o-1",
        ClientOrderId = "c-1",
        Symbol = "AAPL",
        Side = OrderSide.Buy,
        Type = OrderType.Market,
        TimeInForce = TimeInForce.Day,
        Quantity = 3m,
        Status = status,
        CreatedAt = At,
        UpdatedAt = At,
    };

    private static bool CanBeNull(JsonPropertyInfo property)
    {
        if (property.PropertyType.IsValueType)
        {
            return Nullable.GetUnderlyingType(property.PropertyType) is not null;
        }

        return property.AttributeProvider is not PropertyInfo clr
            || new NullabilityInfoContext().Create(clr).WriteState != NullabilityState.NotNull;
    }

    private string Complete(ExecutionReport report) => Encoding.UTF8.GetString(_complete.Serialize(report));
}

/// <summary>The form the grains' records and the fills stream were written in before (every property, nulls included).</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(ExecutionReport))]
[JsonSerializable(typeof(PaperVenueDelta))]
internal sealed partial class CompleteGrainsJsonContext : JsonSerializerContext;
