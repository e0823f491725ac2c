using System.Collections.Immutable;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Portfolio;

/// <summary>
/// An account's cash, positions, reservations and running totals. Immutable; the account grain is its single writer.
/// Buying power: a cash account has cash minus reservations; a Reg-T margin account has 2 x equity minus gross
/// exposure minus reservations (excess equity over the 50% initial margin, levered 2x). Neither is ever negative.
/// Reservations are held in buying-power dollars: the opening part of an order (the part that does not close an
/// existing position net of other open orders) times its price, plus its estimated fee.
/// </summary>
public sealed record AccountLedger
{
    public const decimal RegTInitialMargin = 0.5m;

    public required string AccountId { get; init; }

    public required AccountType AccountType { get; init; }

    public required decimal Cash { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public ImmutableDictionary<string, Position> Positions { get; init => field = value ?? ImmutableDictionary<string, Position>.Empty; } = ImmutableDictionary<string, Position>.Empty;

    public ImmutableDictionary<string, Reservation> Reservations { get; init => field = value ?? ImmutableDictionary<string, Reservation>.Empty; } = ImmutableDictionary<string, Reservation>.Empty;

    public decimal RealizedPnlTotal { get; init; }

    public decimal FeesTotal { get; init; }

    public decimal NetRealizedPnl => RealizedPnlTotal - FeesTotal;

    public decimal? StartOfDayEquity { get; init; }

    public decimal HighWaterMark { get; init; }

    public decimal ReservedTotal
    {
        get
        {
            var total = 0m;
            // The dictionary's own struct enumerator: Values is an iterator object per call, and this runs per order.
            foreach (var (_, reservation) in Reservations)
            {
                total += reservation.Amount;
            }

            return total;
        }
    }

    public static AccountLedger Open(string accountId, AccountType accountType, decimal cash)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        return new AccountLedger { AccountId = accountId, AccountType = accountType, Cash = cash, HighWaterMark = cash };
    }

    public Position PositionOf(string symbol) => Positions.TryGetValue(symbol, out var position) ? position : Position.Flat(symbol);

    /// <summary>
    /// The part of a new order that opens or increases exposure: its quantity minus what it closes of the current
    /// position, where the position is first reduced by other open orders on the same side (two sells of a long
    /// of 100 cannot both count as closing).
    /// </summary>
    public decimal OpeningQuantity(string symbol, OrderSide side, decimal quantity) =>
        Math.Max(0m, quantity - ClosableQuantity(symbol, side));

    /// <summary>How much of the position an order on <paramref name="side"/> can still close after the open orders on that side.</summary>
    public decimal ClosableQuantity(string symbol, OrderSide side)
    {
        var position = PositionOf(symbol).Quantity;
        var pendingSameSide = PendingQuantity(symbol, side);
        return side == OrderSide.Sell
            ? Math.Max(0m, position - pendingSameSide)
            : Math.Max(0m, -position - pendingSameSide);
    }

    /// <summary>The remaining quantity of the open orders in a symbol on one side.</summary>
    public decimal PendingQuantity(string symbol, OrderSide side)
    {
        var total = 0m;
        foreach (var (_, reservation) in Reservations)
        {
            if (reservation.Side == side && reservation.Symbol == symbol)
            {
                total += reservation.RemainingQuantity;
            }
        }

        return total;
    }

    /// <summary>The reservation an order needs, in buying-power dollars.</summary>
    public decimal RequiredReservation(string symbol, OrderSide side, decimal quantity, decimal price, decimal estimatedFee) =>
        (OpeningQuantity(symbol, side, quantity) * price) + estimatedFee;

    /// <summary>
    /// Reserves for a new order. With <paramref name="price"/> (the reference price) and <paramref name="estimatedFee"/>
    /// the reservation follows the position: its opening part is recomputed whenever a fill, a new order or a release
    /// changes how much of the position the open orders on its side can close, so a fill that closes what another order
    /// counted on (or the closing part of a flip) never frees buying power that the rest of the order still needs.
    /// </summary>
    public Result<AccountLedger> Reserve(string orderId, string symbol, OrderSide side, decimal quantity, decimal amount,
        decimal? price = null, decimal estimatedFee = 0m)
    {
        if (Reservations.ContainsKey(orderId))
        {
            return Result.Fail<AccountLedger>(LedgerErrorCodes.ReservationExists, $"Order {orderId} already holds a reservation.");
        }

        if (quantity <= 0m || amount < 0m)
        {
            return Result.Fail<AccountLedger>(LedgerErrorCodes.ReservationInvalid, "Reservation needs a positive quantity and a non-negative amount.");
        }

        if (price is <= 0m || estimatedFee < 0m)
        {
            return Result.Fail<AccountLedger>(LedgerErrorCodes.ReservationInvalid, "Reservation needs a positive price and a non-negative fee.");
        }

        var sequence = 1L;
        foreach (var (_, other) in Reservations)
        {
            sequence = Math.Max(sequence, other.Sequence + 1);
        }

        // Built once: a copy for the sequence and another for the price made three reservations per order.
        var reservation = Reservation.Create(orderId, symbol, side, quantity, amount, sequence, price, price is null ? 0m : estimatedFee);
        var reservations = Reservations.Add(orderId, reservation);
        return Result.Ok(this with { Reservations = price is null ? reservations : Rebalanced(reservations, Positions, symbol) });
    }

    /// <summary>Releases what is left of an order's reservation (cancel, reject, expiry, replace). Unknown ids are a no-op.</summary>
    public AccountLedger Release(string orderId) =>
        Reservations.TryGetValue(orderId, out var released)
            ? this with { Reservations = Rebalanced(Reservations.Remove(orderId), Positions, released.Symbol) }
            : this;

    /// <summary>
    /// Hands the position in <paramref name="symbol"/> out as closing capacity to the open orders on the side that closes it,
    /// oldest first (the order the risk check assumed when each was accepted), and prices each priced reservation's
    /// opening part from it.
    /// </summary>
    private static ImmutableDictionary<string, Reservation> Rebalanced(
        ImmutableDictionary<string, Reservation> reservations, ImmutableDictionary<string, Position> positions, string symbol)
    {
        // Only orders on the side that closes the position can hold closing capacity; with none of them, and none holding
        // any from before, nothing moves (the usual case: it costs a pass over the reservations and no allocation).
        var position = positions.TryGetValue(symbol, out var held) ? held.Quantity : 0m;
        OrderSide? closingSide = position > 0m ? OrderSide.Sell : position < 0m ? OrderSide.Buy : null;
        var work = false;
        foreach (var (_, reservation) in reservations)
        {
            work |= reservation.Symbol == symbol && reservation.Price is not null
                && (reservation.Side == closingSide || reservation.ClosingQuantity != 0m);
        }

        if (!work)
        {
            return reservations;
        }

        var same = reservations.Values.Where(r => r.Symbol == symbol).ToList();
        same.Sort(static (a, b) => a.Sequence != b.Sequence ? a.Sequence.CompareTo(b.Sequence) : string.CompareOrdinal(a.OrderId, b.OrderId));
        var sellCapacity = Math.Max(0m, position);
        var buyCapacity = Math.Max(0m, -position);
        ImmutableDictionary<string, Reservation>.Builder? builder = null;
        foreach (var reservation in same)
        {
            var capacity = reservation.Side == OrderSide.Sell ? sellCapacity : buyCapacity;
            var closing = Math.Min(reservation.RemainingQuantity, capacity);
            if (reservation.Side == OrderSide.Sell)
            {
                sellCapacity -= closing;
            }
            else
            {
                buyCapacity -= closing;
            }

            var next = reservation.WithClosing(closing);
            if (!ReferenceEquals(next, reservation))
            {
                (builder ??= reservations.ToBuilder())[reservation.OrderId] = next;
            }
        }

        return builder?.ToImmutable() ?? reservations;
    }

    /// <summary>
    /// Applies an execution already accepted by its <see cref="Order"/> (which de-duplicates and refuses overfills).
    /// Cash moves by the signed notional and the fee; the order's reservation is released in proportion. The exits of a
    /// bracket, OCO or OTO share one reservation (only one of them can close the position): <paramref name="reservationId"/>
    /// names it when it is not the order's own.
    /// </summary>
    public LedgerFill ApplyFill(Execution execution, string? reservationId = null)
    {
        ArgumentNullException.ThrowIfNull(execution);
        reservationId ??= execution.OrderId;
        var fill = PositionOf(execution.Symbol).Apply(execution);
        var notional = execution.Quantity * execution.Price;
        var cashChange = (execution.Side == OrderSide.Buy ? -notional : notional) - execution.Fee;
        var positions = fill.Position.IsFlat && fill.Position.RealizedPnl == 0m && fill.Position.FeesPaid == 0m
            ? Positions.Remove(execution.Symbol)
            : Positions.SetItem(execution.Symbol, fill.Position);
        var reservations = Reservations;
        if (reservations.TryGetValue(reservationId, out var reservation))
        {
            var remaining = Math.Max(0m, reservation.RemainingQuantity - execution.Quantity);
            reservations = remaining == 0m
                ? reservations.Remove(reservationId)
                : reservations.SetItem(reservationId, reservation.WithRemaining(remaining));
        }

        var next = this with
        {
            Cash = Cash + cashChange,
            Positions = positions,
            Reservations = Rebalanced(reservations, positions, execution.Symbol),
            RealizedPnlTotal = RealizedPnlTotal + fill.RealizedPnl,
            FeesTotal = FeesTotal + execution.Fee,
        };
        return new LedgerFill(next, fill, cashChange);
    }

    /// <summary>Records the start-of-day equity that day P&amp;L is measured from, and lifts the high-water mark.</summary>
    public AccountLedger StartDay(decimal equity) => this with { StartOfDayEquity = equity, HighWaterMark = Math.Max(HighWaterMark, equity) };

    /// <summary>
    /// Cash moved in (positive) or out (negative). Not a gain or a loss: the start-of-day equity moves with it, so the day's
    /// P&amp;L does not see it, and the high-water mark is scaled with the equity (<paramref name="equity"/>, the equity just
    /// before the transfer), so the drawdown percentage the breaker judges does not see it either. Without an equity (a
    /// position with no mark) the mark moves by the amount, as the equity does.
    /// </summary>
    public AccountLedger TransferCash(decimal amount, decimal? equity = null) => this with
    {
        Cash = Cash + amount,
        StartOfDayEquity = StartOfDayEquity + amount,
        HighWaterMark = equity is > 0m and var before && HighWaterMark > before
            ? Math.Max(0m, ScaledMark(HighWaterMark, before, before + amount))
            : Math.Max(0m, HighWaterMark + amount),
    };

    /// <summary>
    /// <paramref name="mark"/> · <paramref name="after"/> / <paramref name="before"/>, as it always was while the product fits.
    /// That product of two amounts overflowed a decimal once the mark passed about 2.8e14 (reached through trading gains),
    /// and the transfer, stored before it is applied, threw at every activation of the account after it. Past it the ratio
    /// goes first (the same to about 28 digits), and a mark the ratio takes beyond what a decimal holds is the largest one.
    /// </summary>
    private static decimal ScaledMark(decimal mark, decimal before, decimal after)
    {
        try
        {
            return mark * after / before;
        }
        catch (OverflowException)
        {
            try
            {
                return after / before * mark;
            }
            catch (OverflowException)
            {
                return after < 0m ? decimal.MinValue : decimal.MaxValue;
            }
        }
    }

    /// <summary>
    /// The most a withdrawal may take: the cash reservations leave free, and in a margin account no more than the equity
    /// above the positions' initial margin (half the buying power, <paramref name="valuation"/> needed for it).
    /// </summary>
    public decimal Withdrawable(Valuation? valuation)
    {
        var free = Cash - ReservedTotal;
        if (AccountType == AccountType.Margin)
        {
            free = valuation is null ? 0m : Math.Min(free, valuation.BuyingPower * RegTInitialMargin);
        }

        return Math.Max(0m, free);
    }

    /// <summary>Lifts the high-water mark to a newly observed equity.</summary>
    public AccountLedger MarkEquity(decimal equity) => equity > HighWaterMark ? this with { HighWaterMark = equity } : this;

    /// <summary>
    /// Marks every open position; a missing or non-positive mark is an error, never a default price, and so are amounts
    /// beyond what a decimal holds (a mark the market data accepted can make a booked position's value overflow): an error
    /// (<see cref="LedgerErrorCodes.ValuationOverflow"/>) naming the position, not an exception every reader of the account
    /// would throw.
    /// </summary>
    public Result<Valuation> Value(IReadOnlyDictionary<string, decimal> marks)
    {
        ArgumentNullException.ThrowIfNull(marks);
        Position? valuing = null;
        var valuingMark = 0m;
        try
        {
            return ValueCore(marks, ref valuing, ref valuingMark);
        }
        catch (OverflowException)
        {
            return Result.Fail<Valuation>(LedgerErrorCodes.ValuationOverflow, valuing is null
                ? "The account's totals at its marks are beyond what a decimal holds."
                : $"{valuing.Symbol} ({valuing.Quantity} at mark {valuingMark}) takes the account's value beyond what a decimal holds.");
        }
    }

    private Result<Valuation> ValueCore(IReadOnlyDictionary<string, decimal> marks, ref Position? valuing, ref decimal valuingMark)
    {
        decimal longValue = 0m, shortValue = 0m, unrealized = 0m;
        foreach (var (_, position) in Positions)
        {
            if (position.IsFlat)
            {
                continue;
            }

            if (!marks.TryGetValue(position.Symbol, out var mark))
            {
                return Result.Fail<Valuation>(LedgerErrorCodes.MarkMissing, $"No mark for {position.Symbol}.");
            }

            if (mark <= 0m)
            {
                return Result.Fail<Valuation>(LedgerErrorCodes.MarkInvalid, $"Mark {mark} for {position.Symbol} is not positive.");
            }

            (valuing, valuingMark) = (position, mark);
            var value = position.MarketValue(mark);
            if (value > 0m)
            {
                longValue += value;
            }
            else
            {
                shortValue += value;
            }

            unrealized += position.UnrealizedPnl(mark);
        }

        valuing = null;
        var equity = Cash + longValue + shortValue;
        var gross = longValue - shortValue;
        var reserved = ReservedTotal;
        var raw = AccountType == AccountType.Cash
            ? Cash - reserved
            : (equity - RegTInitialMargin * gross) / RegTInitialMargin - reserved;
        return Result.Ok(new Valuation
        {
            Cash = Cash,
            LongMarketValue = longValue,
            ShortMarketValue = shortValue,
            UnrealizedPnl = unrealized,
            Reserved = reserved,
            BuyingPower = Math.Max(0m, raw),
            InitialMarginRequirement = AccountType == AccountType.Margin ? RegTInitialMargin * gross : 0m,
            DayPnl = StartOfDayEquity is { } start ? equity - start : null,
            HighWaterMark = Math.Max(HighWaterMark, equity),
        });
    }
}
