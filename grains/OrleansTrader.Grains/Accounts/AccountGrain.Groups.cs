using System.Globalization;
using OrleansTrader.Brokers;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// Bracket, OCO and OTO orders. The broker creates the exit legs; the account adopts each as a working order of its own
/// (so its fills, a cancel, a close and reconciliation see it), and holds one reservation for the exits of a group: only
/// one of them can close the position. A bracket's or OTO's exits reserve from the entry's fills (before them there is
/// nothing to close); an OCO's stop-loss shares the reservation its parent, the take-profit, took when it was placed.
/// </summary>
internal sealed partial class AccountGrain
{
    /// <summary>The action journaled when an exit leg the broker created becomes one of the account's orders.</summary>
    private const string ExitAdoptedAction = "exit-adopted";

    private const string ExitsReservationSuffix = "-exits";

    private static string ExitsReservationId(string entryOrderId) => entryOrderId + ExitsReservationSuffix;

    private static bool IsGroupMember(WorkingOrder working) =>
        working.ReservationId is not null || working.Order.Request.OrderClass != OrderClass.Simple;

    /// <summary>Adopts the legs the broker lists for <paramref name="parentOrderId"/> that the account does not know yet.</summary>
    private void AdoptLegs(string parentOrderId, BrokerOrder broker)
    {
        if (broker.Legs.Count == 0 || !S.WorkingOrders.TryGetValue(parentOrderId, out var parent))
        {
            return;
        }

        // Only the entry-led groups: an OCO's parent is its own take-profit, and no older build's OCO is known here.
        if (parent.Order.Request.OrderClass == OrderClass.Simple && broker.OrderClass is OrderClass.Bracket or OrderClass.Oto)
        {
            parent = RestoreGroup(parent, broker);
        }

        if (AdoptLegs(parentOrderId, parent.Order.Request.OrderClass, parent.Order.Symbol, parent.Origin, parent.Order.ExpiresAt, broker.Legs))
        {
            // Exits adopted after their entry's fill was booked (a broker that listed no legs until now): that fill reserved
            // nothing for them, since none worked yet, so they reserve for it now.
            ReserveExits(parent.Order);
        }
    }

    /// <summary>
    /// Adopts the working exits of an order that is no longer working here (an entry filled under a build that kept no
    /// exits): the broker's parent names the group and its class; a bracket's or OTO's exits reserve, as on the entry's
    /// fill, for what it filled.
    /// </summary>
    private void AdoptExitsOfEndedOrder(AccountOrder parent, BrokerOrder group, IReadOnlyList<BrokerOrder> exits)
    {
        var orderClass = parent.OrderClass ?? group.OrderClass;
        AdoptLegs(parent.OrderId, orderClass, parent.Symbol, parent.Origin, null, exits);
        if (orderClass is OrderClass.Bracket or OrderClass.Oto && parent.FilledQuantity > 0m)
        {
            var price = FarthestPrice(exits.SelectMany(e => new[] { e.LimitPrice, e.StopPrice }).Append(parent.AverageFillPrice));
            ReserveExits(parent.OrderId, parent.Symbol, parent.Side, parent.FilledQuantity, price);
        }
    }

    /// <summary>
    /// A working entry an older build stored as a simple order takes its group's class and exit prices from the broker, so
    /// its exits share the reservation of their class and its fills reserve for them (<see cref="ReserveExits(Order)"/>).
    /// </summary>
    private WorkingOrder RestoreGroup(WorkingOrder parent, BrokerOrder group)
    {
        var takeProfit = group.Legs.FirstOrDefault(l => l.Type == OrderType.Limit);
        var stopLoss = group.Legs.FirstOrDefault(l => l.Type is OrderType.Stop or OrderType.StopLimit);
        var request = parent.Order.Request with
        {
            OrderClass = group.OrderClass,
            TakeProfit = takeProfit is null ? null : new ExitLeg(LimitPrice: takeProfit.LimitPrice),
            StopLoss = stopLoss is null ? null : new ExitLeg(stopLoss.LimitPrice, stopLoss.StopPrice),
        };
        var restored = parent with { Order = parent.Order with { Request = request } };
        S.WorkingOrders[parent.Order.OrderId] = restored;
        return restored;
    }

    /// <summary>Adopts the legs the account does not know yet; true when it adopted any.</summary>
    private bool AdoptLegs(string parentOrderId, OrderClass orderClass, string symbol, string origin, DateTimeOffset? expiresAt, IReadOnlyList<BrokerOrder> legs)
    {
        var reservationId = orderClass == OrderClass.Oco ? parentOrderId : ExitsReservationId(parentOrderId);
        var adopted = false;
        foreach (var leg in legs)
        {
            if (_history.TryGetOrderId(leg.ClientOrderId, out _))
            {
                continue;
            }

            var now = time.GetUtcNow();
            var request = new OrderRequest
            {
                ClientOrderId = leg.ClientOrderId,
                Symbol = symbol,
                Side = leg.Side,
                Type = leg.Type,
                Quantity = leg.Quantity,
                LimitPrice = leg.LimitPrice,
                StopPrice = leg.StopPrice,
                TimeInForce = leg.TimeInForce,
            };

            // Held or working, a leg the broker lists is acknowledged by it: Accepted, as Alpaca's "held" maps.
            var order = Order.Create(NextOrderId(), request, now, expiresAt, parentOrderId);
            order = order.Apply(OrderEvent.Accept, now).GetValueOrThrow();
            var exit = new WorkingOrder { Order = order, Origin = origin, BrokerOrderId = leg.OrderId, ReservationId = reservationId };
            Record(exit, null, ExitAdoptedAction, null, string.Create(CultureInfo.InvariantCulture, $"exit of {parentOrderId}; broker order {leg.OrderId}"));
            ApplyBrokerOrder(order.OrderId, leg, "accepted");
            adopted = true;
        }

        return adopted;
    }

    /// <summary>
    /// The venue sizes a group's exits itself (activated for the entry's filled quantity, shrunk by a sibling's partial
    /// fill): the account's order follows, or it would wait for quantity that never fills. True when it changed.
    /// </summary>
    private bool SyncGroupQuantity(string orderId, BrokerOrder broker)
    {
        if (!S.WorkingOrders.TryGetValue(orderId, out var working) || !IsGroupMember(working) || working.Order.Status.IsFinal()
            || broker.Quantity <= 0m || broker.Quantity == working.Order.Quantity || broker.Quantity < working.Order.FilledQuantity)
        {
            return false;
        }

        var resized = working with { Order = working.Order.Resized(broker.Quantity, time.GetUtcNow()) };
        Record(resized, working.Order.Status, ResizedAction, null, ResizedDetail(working.Order.Quantity, broker.Quantity));
        return true;
    }

    /// <summary>The journal action of an order the broker sized itself (a group's exit, a replacement net of a fill).</summary>
    private const string ResizedAction = "resized";

    private static string ResizedDetail(decimal from, decimal to) =>
        string.Create(CultureInfo.InvariantCulture, $"quantity {from} -> {to} by the broker");

    /// <summary>
    /// Releases a group's exits reservation that no working exit holds. Builds before this check reserved for exits on an
    /// entry fill booked after they had all ended (<see cref="ReserveExits(Order)"/>): the fee estimate stayed reserved with
    /// no order open. The release is not journaled (no order changed); the next write keeps it.
    /// </summary>
    private void ReleaseExitsReservationsWithoutWorkingExits()
    {
        foreach (var (id, reservation) in Ledger.Reservations.Where(r => r.Key.EndsWith(ExitsReservationSuffix, StringComparison.Ordinal) && !AnyWorkingOrderHolds(r.Key)).ToList())
        {
            AccountLog.ExitsReservationReleased(logger, AccountId, id, reservation.Amount);
            Ledger = Ledger.Release(id);
        }
    }

    /// <summary>
    /// A fill of a bracket's or OTO's entry: its exits will close what it bought (sold), so they hold one reservation for
    /// the entry's filled quantity, on the closing side, from now on. The ledger gives it that much of the position as
    /// closing capacity, so it costs the fee alone unless other orders already claim the position.
    /// </summary>
    private void ReserveExits(Order entry)
    {
        if (entry.Request.OrderClass is not (OrderClass.Bracket or OrderClass.Oto) || entry.FilledQuantity <= 0m)
        {
            return;
        }

        // Exits that have all ended (canceled while the entry's fill was on its way) close nothing, and the release that
        // goes with an exit's end has passed: reserved for now, the amount stayed reserved with no order open, for good.
        var id = ExitsReservationId(entry.OrderId);
        if (!AnyWorkingOrderHolds(id))
        {
            Ledger = Ledger.Release(id);
            return;
        }

        var price = FarthestPrice([entry.Request.TakeProfit?.LimitPrice, entry.Request.StopLoss?.StopPrice, entry.Request.StopLoss?.LimitPrice, entry.AverageFillPrice]);
        ReserveExits(entry.OrderId, entry.Symbol, entry.Side, entry.FilledQuantity, price);
    }

    private bool AnyWorkingOrderHolds(string reservationId) => S.WorkingOrders.Values.Any(w => w.ReservationId == reservationId);

    /// <summary>The exits' reservation prices their opening part, if any, at the farther exit: the most the exits can be worth (0 with no price).</summary>
    private static decimal FarthestPrice(IEnumerable<decimal?> prices) => prices.OfType<decimal>().Where(p => p > 0m).DefaultIfEmpty(0m).Max();

    /// <summary>The exits' one reservation for <paramref name="filledQuantity"/> on the side closing the entry's, at <paramref name="price"/>.</summary>
    private void ReserveExits(string entryOrderId, string symbol, OrderSide entrySide, decimal filledQuantity, decimal price)
    {
        if (price <= 0m)
        {
            return;
        }

        var id = ExitsReservationId(entryOrderId);
        var side = entrySide == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;

        var ledger = Ledger.Release(id);
        Result<AccountLedger> reserved;
        try
        {
            var fee = _fees?.Calculate(new FeeInput(side, filledQuantity, price) { TradeDate = NyseCalendar.ExchangeDate(time.GetUtcNow()) }).Total ?? 0m;

            // The most the reservation can come to (all of it opening), so no later rebalance of it can overflow either.
            _ = (filledQuantity * price) + fee;
            reserved = ledger.Reserve(id, symbol, side, filledQuantity,
                ledger.RequiredReservation(symbol, side, filledQuantity, price, fee), price, fee);
        }
        catch (OverflowException)
        {
            // An absurd entry fill (booked: the books hold it) or exit price: the exits cannot be reserved for. Thrown here, the
            // fill stayed in memory unwritten and its redelivery found it applied; now the fill stands and the account is
            // reduced (a mismatch) with the reason.
            _mismatches.Add(string.Create(CultureInfo.InvariantCulture,
                $"The exits of order {entryOrderId} cannot be reserved for: {filledQuantity} at {price} is beyond what a decimal holds."));
            return;
        }

        if (reserved.IsSuccess)
        {
            Ledger = reserved.Value!;
        }
    }

    /// <summary>
    /// How much of the position an exit can close: a bracket's or OTO's exits are held at the venue while their entry works,
    /// so they close only what it has filled (the rest they close comes with the rest of its fills); otherwise all it leaves.
    /// </summary>
    private decimal HeldExitsCover(WorkingOrder exit) =>
        exit.Order.ParentOrderId is { } parentId && S.WorkingOrders.TryGetValue(parentId, out var entry)
            && entry.Order.Request.OrderClass is OrderClass.Bracket or OrderClass.Oto
            ? entry.Order.FilledQuantity
            : decimal.MaxValue;

    /// <summary>Releases what a final order held: its own reservation, or its group's once no other member still works.</summary>
    private void ReleaseReservation(WorkingOrder working)
    {
        if (!IsGroupMember(working))
        {
            Ledger = Ledger.Release(working.Order.OrderId);
            return;
        }

        var id = working.ReservationId ?? working.Order.OrderId;
        if (!S.WorkingOrders.Values.Any(w => w.ReservationId == id || w.Order.OrderId == id))
        {
            Ledger = Ledger.Release(id);
        }
    }
}
