using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Domain.Statistics;

/// <summary>
/// One symbol's round trip in progress: it starts when the position leaves zero and ends when it returns to zero or
/// flips. Realized P&amp;L is summed from <see cref="Position"/>'s own per-fill results; this type never computes P&amp;L.
/// A flipping fill's fee is split between the closing and the opening part by quantity, in whole cents. Immutable, so a
/// host can keep it in its stored state (the account does; the backtester keeps it in memory).
/// </summary>
public sealed record OpenRoundTrip
{
    public required string Symbol { get; init; }

    public required bool IsLong { get; init; }

    /// <summary>The first fill's time; null when the position was already open before its fills were followed.</summary>
    public DateTimeOffset? EntryTime { get; init; }

    public decimal Opened { get; init; }

    public decimal OpenedNotional { get; init; }

    public decimal Closed { get; init; }

    public decimal ClosedNotional { get; init; }

    public decimal RealizedPnl { get; init; }

    public decimal Fees { get; init; }

    /// <summary>
    /// The average entry of what is still held (the position's): the entries' cost less the cost the exits took off (their
    /// proceeds less the P&amp;L they realized). Not the entries' average once an exit is followed by another entry.
    /// </summary>
    public decimal HeldEntryPrice =>
        (OpenedNotional - (IsLong ? ClosedNotional - RealizedPnl : ClosedNotional + RealizedPnl)) / (Opened - Closed);

    /// <summary>
    /// Follows one fill in a host's round trips by symbol (the symbol's entry replaced, or removed when the position is
    /// flat) and returns the round trip it completed, if any.
    /// </summary>
    public static RoundTripTrade? FollowIn(IDictionary<string, OpenRoundTrip> open, Position before, PositionFill fill, Execution execution)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(before);
        var (next, completed) = Follow(open.TryGetValue(before.Symbol, out var current) ? current : null, before, fill, execution);
        if (next is null)
        {
            open.Remove(before.Symbol);
        }
        else
        {
            open[before.Symbol] = next;
        }

        return completed;
    }

    /// <summary>
    /// Follows one fill of <paramref name="before"/>'s symbol: the round trip still open after it (null when flat) and the
    /// one it completed, if any. A position already open with no round trip followed (an account from before trades were
    /// kept) starts one at its average entry price, with no entry time.
    /// </summary>
    public static (OpenRoundTrip? Open, RoundTripTrade? Completed) Follow(OpenRoundTrip? open, Position before, PositionFill fill, Execution execution)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(fill);
        ArgumentNullException.ThrowIfNull(execution);
        open ??= HeldUnfollowed(before);

        var closing = fill.ClosedQuantity;
        var opening = execution.Quantity - closing;
        var closingFee = closing == 0m ? 0m : closing >= execution.Quantity ? fill.Fee : FlipClosingFee(fill.Fee, closing, execution.Quantity);
        RoundTripTrade? completed = null;
        if (closing > 0m && open is not null)
        {
            open = open with
            {
                Closed = open.Closed + closing,
                ClosedNotional = open.ClosedNotional + (closing * execution.Price),
                RealizedPnl = open.RealizedPnl + fill.RealizedPnl,
                Fees = open.Fees + closingFee,
            };
            if (Math.Sign(fill.Position.Quantity) != Math.Sign(before.Quantity))
            {
                completed = new RoundTripTrade
                {
                    Symbol = open.Symbol,
                    IsLong = open.IsLong,
                    Quantity = open.Opened,
                    EntryTime = open.EntryTime,
                    EntryPrice = open.OpenedNotional / open.Opened,
                    ExitTime = execution.Timestamp,
                    ExitPrice = open.ClosedNotional / open.Closed,
                    RealizedPnl = open.RealizedPnl,
                    Fees = open.Fees,
                };
                open = null;
            }
        }

        if (opening > 0m)
        {
            open ??= new OpenRoundTrip { Symbol = before.Symbol, IsLong = execution.Side == OrderSide.Buy, EntryTime = execution.Timestamp };
            open = open with
            {
                Opened = open.Opened + opening,
                OpenedNotional = open.OpenedNotional + (opening * execution.Price),
                Fees = open.Fees + fill.Fee - closingFee,
            };
        }

        return (open, completed);
    }

    /// <summary>
    /// The round trip of a position held before its fills were followed (null when flat): what it holds at its average
    /// entry price, with no entry time, and no P&amp;L or fees, since the position's own sum those of its earlier round trips too.
    /// </summary>
    public static OpenRoundTrip? HeldUnfollowed(Position position)
    {
        ArgumentNullException.ThrowIfNull(position);
        return position.IsFlat ? null : new OpenRoundTrip
        {
            Symbol = position.Symbol,
            IsLong = position.Quantity > 0m,
            Opened = Math.Abs(position.Quantity),
            OpenedNotional = Math.Abs(position.Quantity) * position.AverageEntryPrice,
        };
    }

    /// <summary>
    /// The closing part of a flipping fill's fee: its share by quantity to the cent (half away from zero), at most the fee,
    /// the opening part taking the rest. Split in fractions of a cent, the two trades each reported the half cent (a fee of
    /// 5 cents split in two showed 3 and 3), so the trades' fees did not add up to the fill's as reported.
    /// </summary>
    private static decimal FlipClosingFee(decimal fee, decimal closing, decimal quantity) =>
        Math.Min(fee, Money.RoundForReport(fee * closing / quantity));
}
