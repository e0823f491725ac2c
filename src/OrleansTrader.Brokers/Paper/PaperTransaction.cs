using System.Collections.Immutable;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// One change of an account's venue state: a working copy plus the reports it produces. Nothing is visible until the
/// account saves <see cref="Build"/> and swaps it in, so a failed save leaves the venue as it was. Every order change
/// goes through the domain (<see cref="Order.Apply"/>, <see cref="Order.ApplyFill"/>, <see cref="OrderGroup"/>,
/// <see cref="Position.Apply(Execution)"/>); a transition the domain refuses is a venue defect and throws.
/// </summary>
internal sealed class PaperTransaction
{
    private readonly ImmutableDictionary<string, PaperOrderRecord>.Builder _orders;
    private readonly ImmutableSortedDictionary<long, string>.Builder _working;
    private readonly ImmutableDictionary<string, string>.Builder _clientOrderIds;
    private readonly ImmutableDictionary<string, OrderGroup>.Builder _groups;
    private readonly ImmutableList<Execution>.Builder _executions;
    private readonly ImmutableDictionary<string, Position>.Builder _positions;
    private readonly PaperAccountState _original;

    // The latest record of every order this change touched. The builder gets them only when something reads it
    // whole (a query over the orders, a view with legs, the build): an order submitted, accepted and filled in one
    // change is then one immutable-dictionary update instead of three.
    private readonly Dictionary<string, PaperOrderRecord> _changedOrders = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changedGroups = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changedPositions = new(StringComparer.Ordinal);
    private readonly List<Execution> _addedExecutions = [];
    private readonly PaperFees _fees;
    private readonly TimeSpan _ackLatency;
    private readonly TimeSpan _fillLatency;
    private long _nextSequence;
    private bool _ordersBehind;

    public PaperTransaction(PaperAccountState state, DateTimeOffset now, PaperFees fees, TimeSpan ackLatency, TimeSpan fillLatency)
    {
        _original = state;
        _orders = state.Orders.ToBuilder();
        _working = state.Working.ToBuilder();
        _clientOrderIds = state.ClientOrderIds.ToBuilder();
        _groups = state.Groups.ToBuilder();
        _executions = state.Executions.ToBuilder();
        _positions = state.Positions.ToBuilder();
        _nextSequence = state.NextSequence;
        _fees = fees;
        _ackLatency = ackLatency;
        _fillLatency = fillLatency;
        Now = now;
    }

    public DateTimeOffset Now { get; }

    public bool Changed { get; private set; }

    public List<PendingReport> Reports { get; } = [];

    /// <summary>Children activated in this change; the caller matches them against the same market.</summary>
    public List<string> Activated { get; } = [];

    public IEnumerable<PaperOrderRecord> Orders => CurrentOrders().Values;

    /// <summary>The orders that are not final, with this transaction's changes, in arrival order (a copy: callers change them).</summary>
    public List<PaperOrderRecord> WorkingOrders()
    {
        var working = new List<PaperOrderRecord>(_working.Count);
        foreach (var orderId in _working.Values)
        {
            working.Add(Get(orderId));
        }

        return working;
    }

    /// <summary>Orders added by this transaction, in the order they were added.</summary>
    public List<PaperOrderRecord> Added { get; } = [];

    public PaperOrderRecord? Find(string orderId) =>
        _changedOrders.TryGetValue(orderId, out var changed) ? changed : _orders.GetValueOrDefault(orderId);

    public OrderGroup? FindGroup(string groupId) => _groups.GetValueOrDefault(groupId);

    public PaperOrderRecord Get(string orderId) =>
        Find(orderId) ?? throw new InvalidOperationException($"Order {orderId} is not at the venue.");

    public string? FindByClientOrderId(string clientOrderId) => _clientOrderIds.GetValueOrDefault(clientOrderId);

    /// <summary>The order as reported; only an order of a group has legs to look up among the others.</summary>
    public BrokerOrder View(string orderId)
    {
        var record = Get(orderId);
        return record.GroupId is null ? PaperOrderMapper.ToBroker(record) : PaperOrderMapper.ToBroker(record, _groups, CurrentOrders());
    }

    public PaperAccountState Build() => Changed
        ? _original with
        {
            Orders = CurrentOrders().ToImmutable(),
            Working = _working.ToImmutable(),
            ClientOrderIds = _clientOrderIds.ToImmutable(),
            Groups = _groups.ToImmutable(),
            Executions = _executions.ToImmutable(),
            Positions = _positions.ToImmutable(),
            NextSequence = _nextSequence,
        }
        : _original;

    /// <summary>What this transaction changed against the state it started from, for a store that saves changes.</summary>
    public PaperVenueChange Change()
    {
        // Loops rather than queries: this runs on every save. Sequences are unique, so the sort needs no stability.
        var orders = new List<PaperOrderRecord>(_changedOrders.Values);
        orders.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        return new PaperVenueChange
        {
            Orders = orders,
            Groups = Lookup(_changedGroups, _groups),
            Positions = Lookup(_changedPositions, _positions),
            AddedExecutions = [.. _addedExecutions],
            NextSequence = _nextSequence,
            ArchivedBefore = _original.ArchivedBefore,
        };
    }

    private static IReadOnlyList<T> Lookup<T>(HashSet<string> keys, ImmutableDictionary<string, T>.Builder source)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var found = new List<T>(keys.Count);
        foreach (var key in keys)
        {
            found.Add(source[key]);
        }

        return found;
    }

    /// <summary>The orders with every change of this transaction in them.</summary>
    private ImmutableDictionary<string, PaperOrderRecord>.Builder CurrentOrders()
    {
        if (_ordersBehind)
        {
            foreach (var (orderId, record) in _changedOrders)
            {
                _orders[orderId] = record;
            }

            _ordersBehind = false;
        }

        return _orders;
    }

    /// <summary>Adds a new order (PendingNew, or held when a child) to the book of the account.</summary>
    public PaperOrderRecord Add(Order order, bool held, string? groupId)
    {
        var record = new PaperOrderRecord
        {
            Order = order,
            Matching = SimulatedOrder.From(order),
            Held = held,
            GroupId = groupId,
            Sequence = _nextSequence++,
            FeeModel = _fees.ForRecord,
        };
        _changedOrders[order.OrderId] = record;
        _ordersBehind = true;
        IndexWorking(record);
        Added.Add(record);
        _clientOrderIds[order.ClientOrderId] = order.OrderId;
        Changed = true;
        return record;
    }

    public void AddGroup(OrderGroup group)
    {
        _groups[group.GroupId] = group;
        _changedGroups.Add(group.GroupId);
        Changed = true;
    }

    /// <summary>Accepts the order and reports it; returns the view the report carries.</summary>
    public BrokerOrder Accept(string orderId)
    {
        var record = Get(orderId);
        Put(record with { Order = Apply(record.Order, OrderEvent.Accept, null) });
        return Report(ExecutionReportKind.Accepted, orderId, TimeSpan.Zero);
    }

    public void Cancel(string orderId, string reason)
    {
        var record = Get(orderId);
        if (record.Order.Status.IsFinal())
        {
            return;
        }

        Put(record with { Order = Apply(record.Order, OrderEvent.Canceled, reason), Held = false, Matching = null });
        Report(ExecutionReportKind.Canceled, orderId, _ackLatency, reason);
        OnChanged(orderId);
    }

    public void Expire(string orderId)
    {
        var record = Get(orderId);
        if (record.Order.Status.IsFinal())
        {
            return;
        }

        Put(record with { Order = Apply(record.Order, OrderEvent.Expire, FillReasons.DayExpired), Held = false, Matching = null });
        Report(ExecutionReportKind.Expired, orderId, TimeSpan.Zero, FillReasons.DayExpired);
        OnChanged(orderId);
    }

    /// <summary>Ends <paramref name="oldId"/> Replaced by the already added <paramref name="newId"/>, which the venue accepts at once.</summary>
    public void Replace(string oldId, string newId)
    {
        var old = Get(oldId);
        var pending = Apply(old.Order, OrderEvent.ReplaceRequest, null);
        Put(old with { Order = Apply(pending, OrderEvent.Replaced, null) with { ReplacedByOrderId = newId }, Matching = null });
        Report(ExecutionReportKind.Replaced, oldId, _ackLatency);
        var fresh = Get(newId);
        Put(fresh with { Order = Apply(fresh.Order, OrderEvent.Accept, null) });
        Report(ExecutionReportKind.Accepted, newId, _ackLatency);
    }

    /// <summary>Records the matching state the fill model returned (stop trigger, water mark) without a fill.</summary>
    public void Track(string orderId, SimulatedOrder matching)
    {
        var record = Get(orderId);
        if (record.Matching != matching)
        {
            Put(record with { Matching = matching });
        }
    }

    public Execution Fill(string orderId, decimal quantity, decimal price, Liquidity liquidity, SimulatedOrder matching)
    {
        var record = Get(orderId);
        var order = record.Order;
        var execution = new Execution
        {
            ExecutionId = $"{order.OrderId}-{order.ExecutionIds.Count + 1}",
            OrderId = order.OrderId,
            ClientOrderId = order.ClientOrderId,
            Symbol = order.Symbol,
            Side = order.Side,
            Quantity = quantity,
            Price = price,
            // A record without a schedule was added under the default one: the account's current schedule may be one it
            // configured since, which the order must not pay.
            Fee = OrderFee(record.FeeModel is { } spec ? PaperFees.For(spec).Model : PaperFees.Default.Model, order, quantity, price,
                NyseCalendar.ExchangeDate(Now)),
            Liquidity = liquidity,
            Timestamp = Now,
        };
        var applied = order.ApplyFill(execution);
        if (!applied.IsSuccess)
        {
            throw new InvalidOperationException($"The venue produced a fill the order refuses: {applied.Error}");
        }

        var filled = applied.GetValueOrThrow().Order;
        // A final order keeps no matching state (see PaperOrderRecord.Matching).
        var leaves = filled.Quantity - filled.FilledQuantity;
        Put(record with { Order = filled, Matching = filled.Status.IsFinal() ? null : matching with { LeavesQuantity = leaves } });
        _executions.Add(execution);
        _addedExecutions.Add(execution);
        var position = _positions.GetValueOrDefault(order.Symbol) ?? Position.Flat(order.Symbol);
        _positions[order.Symbol] = position.Apply(execution).Position;
        _changedPositions.Add(order.Symbol);
        var kind = filled.Status == OrderStatus.Filled ? ExecutionReportKind.Fill : ExecutionReportKind.PartialFill;
        Reports.Add(new PendingReport(new ExecutionReport(kind, View(orderId), Now, execution), _fillLatency));
        OnChanged(orderId);
        return execution;
    }

    /// <summary>
    /// The fee of one execution as the order's share of a per-order bill: the fee of the order's fills so far with this
    /// one, less the fee of those before it. A per-order minimum (and the TAF's per-trade maximum) is then charged once,
    /// not on every partial fill. Both are priced at the rates of this fill's trade date.
    /// </summary>
    private static decimal OrderFee(IFeeModel fees, Order order, decimal quantity, decimal price, DateOnly tradeDate)
    {
        var before = order.FilledQuantity > 0m && order.AverageFillPrice is { } average
            ? fees.Calculate(new FeeInput(order.Side, order.FilledQuantity, average) { TradeDate = tradeDate }).Total
            : 0m;
        var filled = order.FilledQuantity + quantity;
        var averageAfter = (((order.AverageFillPrice ?? 0m) * order.FilledQuantity) + (price * quantity)) / filled;
        return Math.Max(0m, fees.Calculate(new FeeInput(order.Side, filled, averageAfter) { TradeDate = tradeDate }).Total - before);
    }

    private void OnChanged(string orderId)
    {
        var record = Get(orderId);
        if (record.GroupId is not { } groupId || _groups.GetValueOrDefault(groupId) is not { } group)
        {
            return;
        }

        OrderGroupUpdate update;
        if (group.EntryOrderId == orderId)
        {
            update = group.OnEntryChanged(record.Order);
        }
        else if (group.TakeProfitOrderId == orderId || group.StopLossOrderId == orderId)
        {
            var siblingId = group.TakeProfitOrderId == orderId ? group.StopLossOrderId : group.TakeProfitOrderId;
            update = group.OnExitChanged(record.Order, siblingId is null ? null : Get(siblingId).Order);
        }
        else
        {
            return;
        }

        _groups[groupId] = update.Group;
        _changedGroups.Add(groupId);
        foreach (var action in update.Actions)
        {
            switch (action.Kind)
            {
                case OrderGroupActionKind.ActivateChild:
                    Activate(action.OrderId, action.Quantity);
                    break;
                case OrderGroupActionKind.CancelOrder:
                    Cancel(action.OrderId, "GROUP_" + (record.Order.Status == OrderStatus.Filled ? "SIBLING_FILLED" : "PARENT_ENDED"));
                    break;
                case OrderGroupActionKind.ResizeOrder:
                    Resize(action.OrderId, action.Quantity);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown group action {action.Kind}.");
            }
        }
    }

    private void Activate(string orderId, decimal quantity)
    {
        var record = Get(orderId);
        if (!record.Held || record.Order.Status.IsFinal())
        {
            return;
        }

        var sized = record.Order with { Request = record.Order.Request with { Quantity = quantity } };
        var accepted = Apply(sized, OrderEvent.Accept, null);
        Put(record with { Order = accepted, Held = false, Matching = SimulatedOrder.From(accepted) });
        Report(ExecutionReportKind.Accepted, orderId, TimeSpan.Zero);
        Activated.Add(orderId);
    }

    private void Resize(string orderId, decimal total)
    {
        var record = Get(orderId);
        if (record.Order.Status.IsFinal() || total == record.Order.Quantity)
        {
            return;
        }

        var resized = record.Order with { Request = record.Order.Request with { Quantity = total }, UpdatedAt = Now };
        var matching = record.Matching ?? SimulatedOrder.From(resized);
        Put(record with { Order = resized, Matching = matching with { LeavesQuantity = total - resized.FilledQuantity } });
        Report(ExecutionReportKind.StatusChanged, orderId, TimeSpan.Zero, "GROUP_RESIZED");
    }

    private void Put(PaperOrderRecord record)
    {
        _changedOrders[record.Order.OrderId] = record;
        _ordersBehind = true;
        IndexWorking(record);
        Changed = true;
    }

    private BrokerOrder Report(ExecutionReportKind kind, string orderId, TimeSpan latency, string? reason = null)
    {
        var view = View(orderId);
        Reports.Add(new PendingReport(new ExecutionReport(kind, view, Now, Reason: reason), latency));
        return view;
    }

    private Order Apply(Order order, OrderEvent evt, string? reason)
    {
        var result = order.Apply(evt, Now, reason);
        return result.IsSuccess
            ? result.GetValueOrThrow()
            : throw new InvalidOperationException($"Order {order.OrderId}: {result.Error}");
    }

    /// <summary>Keeps <see cref="PaperAccountState.Working"/> in step with an order's latest record.</summary>
    private void IndexWorking(PaperOrderRecord record)
    {
        if (record.Order.Status.IsFinal())
        {
            _working.Remove(record.Sequence);
        }
        else
        {
            _working[record.Sequence] = record.Order.OrderId;
        }
    }
}
