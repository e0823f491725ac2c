using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Statistics;

namespace OrleansTrader.Domain.Backtesting;

/// <summary>
/// Groups one symbol's fills into round trips: an episode starts when the position leaves zero and ends when it
/// returns to zero or flips. Realized P&amp;L is summed from <see cref="Position"/>'s own per-fill results; this type
/// never computes P&amp;L. A flipping fill's fee is split between the closing and the opening part by quantity.
/// </summary>
internal sealed class RoundTripTracker(string symbol)
{
    private bool _isLong;
    private DateTimeOffset _entryTime;
    private decimal _opened;
    private decimal _openedNotional;
    private decimal _closed;
    private decimal _closedNotional;
    private decimal _realized;
    private decimal _fees;

    public RoundTripTrade? Record(Position before, PositionFill fill, Execution execution)
    {
        var closing = fill.ClosedQuantity;
        var opening = execution.Quantity - closing;
        var closingFee = execution.Quantity == 0m ? 0m : fill.Fee * closing / execution.Quantity;
        RoundTripTrade? completed = null;
        if (closing > 0m)
        {
            _closed += closing;
            _closedNotional += closing * execution.Price;
            _realized += fill.RealizedPnl;
            _fees += closingFee;
            if (Math.Sign(fill.Position.Quantity) != Math.Sign(before.Quantity))
            {
                completed = new RoundTripTrade
                {
                    Symbol = symbol,
                    IsLong = _isLong,
                    Quantity = _opened,
                    EntryTime = _entryTime,
                    EntryPrice = _openedNotional / _opened,
                    ExitTime = execution.Timestamp,
                    ExitPrice = _closedNotional / _closed,
                    RealizedPnl = _realized,
                    Fees = _fees,
                };
                Clear();
            }
        }

        if (opening > 0m)
        {
            if (_opened == 0m)
            {
                _isLong = execution.Side == OrderSide.Buy;
                _entryTime = execution.Timestamp;
            }

            _opened += opening;
            _openedNotional += opening * execution.Price;
            _fees += fill.Fee - closingFee;
        }

        return completed;
    }

    private void Clear()
    {
        _opened = 0m;
        _openedNotional = 0m;
        _closed = 0m;
        _closedNotional = 0m;
        _realized = 0m;
        _fees = 0m;
    }
}
