using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Tests;

public sealed class OrderStateMachineTests
{
    // The expected table, written out independently of the implementation: "state|event" -> target.
    // "WORKING" means Accepted without fills and PartiallyFilled with fills. Every pair not listed must be refused.
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["PendingNew|Submit"] = "PendingNew",
        ["PendingNew|Accept"] = "Accepted",
        ["PendingNew|PartialFill"] = "PartiallyFilled",
        ["PendingNew|Fill"] = "Filled",
        ["PendingNew|CancelRequest"] = "PendingCancel",
        ["PendingNew|Canceled"] = "Canceled",
        ["PendingNew|Reject"] = "Rejected",
        ["PendingNew|Deny"] = "Denied",
        ["PendingNew|Expire"] = "Expired",
        ["Accepted|Accept"] = "Accepted",
        ["Accepted|PartialFill"] = "PartiallyFilled",
        ["Accepted|Fill"] = "Filled",
        ["Accepted|CancelRequest"] = "PendingCancel",
        ["Accepted|Canceled"] = "Canceled",
        ["Accepted|ReplaceRequest"] = "PendingReplace",
        ["Accepted|Reject"] = "Rejected",
        ["Accepted|Expire"] = "Expired",
        ["PartiallyFilled|PartialFill"] = "PartiallyFilled",
        ["PartiallyFilled|Fill"] = "Filled",
        ["PartiallyFilled|CancelRequest"] = "PendingCancel",
        ["PartiallyFilled|Canceled"] = "Canceled",
        ["PartiallyFilled|ReplaceRequest"] = "PendingReplace",
        ["PartiallyFilled|Expire"] = "Expired",
        ["PendingCancel|Accept"] = "PendingCancel",
        ["PendingCancel|PartialFill"] = "PendingCancel",
        ["PendingCancel|Fill"] = "Filled",
        ["PendingCancel|Canceled"] = "Canceled",
        ["PendingCancel|CancelRejected"] = "WORKING",
        ["PendingCancel|Reject"] = "Rejected",
        ["PendingCancel|Expire"] = "Expired",
        ["PendingReplace|PartialFill"] = "PendingReplace",
        ["PendingReplace|Fill"] = "Filled",
        ["PendingReplace|Replaced"] = "Replaced",
        ["PendingReplace|ReplaceRejected"] = "WORKING",
        ["PendingReplace|Canceled"] = "Canceled",
        ["PendingReplace|Expire"] = "Expired",
    };

    [Fact]
    public void Apply_MatchesExpectedTable_ForEveryStateEventPair()
    {
        var checkedPairs = 0;
        foreach (var state in Enum.GetValues<OrderStatus>())
        {
            foreach (var evt in Enum.GetValues<OrderEvent>())
            {
                foreach (var hasFills in new[] { false, true })
                {
                    var result = OrderStateMachine.Apply(state, evt, hasFills);
                    if (Expected.TryGetValue($"{state}|{evt}", out var target))
                    {
                        var expected = target == "WORKING"
                            ? (hasFills ? OrderStatus.PartiallyFilled : OrderStatus.Accepted)
                            : Enum.Parse<OrderStatus>(target);
                        Assert.True(result.IsAllowed, $"{state} + {evt} should be allowed");
                        Assert.Equal(expected, result.To);
                        Assert.Null(result.Rejection);
                    }
                    else
                    {
                        Assert.False(result.IsAllowed, $"{state} + {evt} should be refused");
                        Assert.Null(result.To);
                        Assert.NotNull(result.Rejection);
                        Assert.Equal(state, result.Rejection.From);
                        Assert.Equal(evt, result.Rejection.Event);
                        Assert.False(string.IsNullOrWhiteSpace(result.Rejection.Reason));
                        if (state.IsFinal())
                        {
                            Assert.Equal(OrderTransitionReasons.OrderIsFinal, result.Rejection.Reason);
                        }
                    }

                    checkedPairs++;
                }
            }
        }

        Assert.Equal(11 * 13 * 2, checkedPairs);
    }

    [Theory]
    [InlineData(OrderStatus.Accepted, OrderEvent.CancelRejected, OrderTransitionReasons.NoCancelPending)]
    [InlineData(OrderStatus.PendingCancel, OrderEvent.CancelRequest, OrderTransitionReasons.CancelAlreadyPending)]
    [InlineData(OrderStatus.PendingReplace, OrderEvent.CancelRequest, OrderTransitionReasons.ReplaceAlreadyPending)]
    [InlineData(OrderStatus.PendingNew, OrderEvent.ReplaceRequest, OrderTransitionReasons.NotAcknowledged)]
    [InlineData(OrderStatus.Accepted, OrderEvent.Deny, OrderTransitionReasons.AlreadySent)]
    [InlineData(OrderStatus.Filled, OrderEvent.CancelRequest, OrderTransitionReasons.OrderIsFinal)]
    public void Apply_GivesSpecificReason_ForRefusedPair(OrderStatus state, OrderEvent evt, string reason)
    {
        var result = OrderStateMachine.Apply(state, evt);

        Assert.Equal(reason, result.Rejection?.Reason);
    }
}
