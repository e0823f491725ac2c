using OrleansTrader.Brokers.Alpaca;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Alpaca;

public sealed class AlpacaStatusMapTests
{
    public static readonly TheoryData<string, OrderStatus> DocumentedStatuses = new()
    {
        { "new", OrderStatus.Accepted },
        { "partially_filled", OrderStatus.PartiallyFilled },
        { "filled", OrderStatus.Filled },
        { "done_for_day", OrderStatus.Accepted },
        { "canceled", OrderStatus.Canceled },
        { "expired", OrderStatus.Expired },
        { "replaced", OrderStatus.Replaced },
        { "pending_cancel", OrderStatus.PendingCancel },
        { "pending_replace", OrderStatus.PendingReplace },
        { "accepted", OrderStatus.Accepted },
        { "pending_new", OrderStatus.PendingNew },
        { "accepted_for_bidding", OrderStatus.Accepted },
        { "stopped", OrderStatus.Accepted },
        { "rejected", OrderStatus.Rejected },
        { "suspended", OrderStatus.Accepted },
        { "calculated", OrderStatus.Accepted },
        { "held", OrderStatus.Accepted },
    };

    public static readonly TheoryData<string, ExecutionReportKind> DocumentedEvents = new()
    {
        { "new", ExecutionReportKind.Accepted },
        { "accepted", ExecutionReportKind.Accepted },
        { "fill", ExecutionReportKind.Fill },
        { "partial_fill", ExecutionReportKind.PartialFill },
        { "canceled", ExecutionReportKind.Canceled },
        { "expired", ExecutionReportKind.Expired },
        { "done_for_day", ExecutionReportKind.StatusChanged },
        { "replaced", ExecutionReportKind.Replaced },
        { "rejected", ExecutionReportKind.Rejected },
        { "pending_new", ExecutionReportKind.PendingNew },
        { "stopped", ExecutionReportKind.StatusChanged },
        { "pending_cancel", ExecutionReportKind.PendingCancel },
        { "pending_replace", ExecutionReportKind.PendingReplace },
        { "calculated", ExecutionReportKind.StatusChanged },
        { "suspended", ExecutionReportKind.StatusChanged },
        { "order_replace_rejected", ExecutionReportKind.ReplaceRejected },
        { "order_cancel_rejected", ExecutionReportKind.CancelRejected },
    };

    [Theory]
    [MemberData(nameof(DocumentedStatuses))]
    public void TryMapOrderStatus_MapsEachDocumentedStatus_ToExactlyOneState(string alpacaStatus, OrderStatus expected)
    {
        Assert.True(AlpacaStatusMap.TryMapOrderStatus(alpacaStatus, out var mapped));
        Assert.Equal(expected, mapped);
    }

    [Theory]
    [MemberData(nameof(DocumentedEvents))]
    public void TryMapEvent_MapsEachDocumentedEvent_ToExactlyOneKind(string alpacaEvent, ExecutionReportKind expected)
    {
        Assert.True(AlpacaStatusMap.TryMapEvent(alpacaEvent, out var mapped));
        Assert.Equal(expected, mapped);
    }

    [Fact]
    public void Tables_HoldExactlyTheDocumentedValues()
    {
        Assert.Equal(DocumentedStatuses.Select(row => row.Data.Item1).Order(), AlpacaStatusMap.OrderStatuses.Keys.Order());
        Assert.Equal(DocumentedEvents.Select(row => row.Data.Item1).Order(), AlpacaStatusMap.Events.Keys.Order());
    }

    [Fact]
    public void OnlyFilledMeansFilled_AndOnlyFillEventsCarryFills()
    {
        Assert.Equal(["filled"], AlpacaStatusMap.OrderStatuses.Where(p => p.Value == OrderStatus.Filled).Select(p => p.Key));
        Assert.Equal(["fill", "partial_fill"], AlpacaStatusMap.Events.Where(p => p.Value is ExecutionReportKind.Fill or ExecutionReportKind.PartialFill).Select(p => p.Key).Order());
        Assert.DoesNotContain(OrderStatus.Denied, AlpacaStatusMap.OrderStatuses.Values);
    }

    [Theory]
    [InlineData("pending_review")]
    [InlineData("FILLED")]
    [InlineData("")]
    [InlineData(null)]
    public void UnknownValues_AreReportedAsUnknown_AndFallBackToWorking(string? value)
    {
        Assert.False(AlpacaStatusMap.TryMapOrderStatus(value, out _));
        Assert.False(AlpacaStatusMap.TryMapEvent(value, out _));
        Assert.Equal(OrderStatus.Accepted, AlpacaStatusMap.UnknownStatusFallback(0m));
        Assert.Equal(OrderStatus.PartiallyFilled, AlpacaStatusMap.UnknownStatusFallback(3m));
    }

    [Fact]
    public void KindForStatus_NeverInventsAFill()
    {
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            Assert.NotEqual(ExecutionReportKind.Fill, AlpacaStatusMap.KindForStatus(status));
            Assert.NotEqual(ExecutionReportKind.PartialFill, AlpacaStatusMap.KindForStatus(status));
        }

        Assert.Equal(ExecutionReportKind.Canceled, AlpacaStatusMap.KindForStatus(OrderStatus.Canceled));
        Assert.Equal(ExecutionReportKind.Expired, AlpacaStatusMap.KindForStatus(OrderStatus.Expired));
        Assert.Equal(ExecutionReportKind.StatusChanged, AlpacaStatusMap.KindForStatus(OrderStatus.Filled));
    }
}
