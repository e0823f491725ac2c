using OrleansTrader.Domain.Indicators;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// Long-only Bollinger breakout. Each close is compared with the bands of the previous <c>period</c> closes (the
/// bands as they stood before this bar; a close included in its own band cannot exceed mean + k·σ when k ≥ √(n-1)).
/// Flat and close above the upper band: buy quantity. Long and close below the middle band: sell the position.
/// Nothing is submitted while an order for the symbol is open, but for the <see cref="ProtectiveStop"/> that
/// <c>trailingStopPercent</c> keeps on the position: an exit withdraws it first and goes once its cancel is confirmed.
/// </summary>
public sealed class BollingerBreakoutStrategy : IStrategy
{
    private BollingerBands _bands;
    private IStrategyContext? _context;
    private readonly ProtectiveStop _stop;

    public BollingerBreakoutStrategy(BollingerBreakoutParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.EnsureValid(StrategyKinds.BollingerBreakout);
        Parameters = parameters;
        _bands = new BollingerBands(parameters.Period, parameters.K);
        _stop = new ProtectiveStop(parameters.Symbol, parameters.TrailingStopPercent);
    }

    public string Kind => StrategyKinds.BollingerBreakout;

    /// <summary>Bars for the bands the next close is compared with.</summary>
    public int WarmUpBars => Parameters.Period;

    public BollingerBreakoutParameters Parameters { get; }

    public void OnStart(IStrategyContext context)
    {
        StrategyGuard.Attach(context, Parameters);
        context.RegisterIndicator("bollinger", _bands);
        _context = context;
    }

    public void OnBar(Bar bar)
    {
        ArgumentNullException.ThrowIfNull(bar);
        var context = StrategyGuard.Started(_context, Kind);
        if (!string.Equals(bar.Symbol, Parameters.Symbol, StringComparison.Ordinal))
        {
            return;
        }

        var upper = _bands.Upper;
        var middle = _bands.Middle;
        _bands.Update(bar.Close);
        if (upper is null || middle is null)
        {
            return;
        }

        var position = context.GetPosition(Parameters.Symbol).Quantity;
        if (position == 0m && bar.Close > upper && !context.HasOpenOrder(Parameters.Symbol))
        {
            context.SubmitOrder(new OrderIntentRequest
            {
                Symbol = Parameters.Symbol,
                Side = OrderSide.Buy,
                Quantity = Parameters.Quantity,
                Reason = StrategyGuard.Format($"close {bar.Close} > upper band {upper:0.####}"),
            });
        }
        else if (position > 0m && bar.Close < middle)
        {
            _stop.ClosePosition(context, StrategyGuard.Format($"close {bar.Close} < middle band {middle:0.####}"));
        }

        _stop.Place(context);
    }

    public void OnQuote(QuoteTick quote)
    {
    }

    public void OnTrade(TradeTick trade)
    {
    }

    public void OnFill(Execution execution)
    {
    }

    public void OnOrderUpdate(StrategyOrderUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        _stop.Observe(update);
        if (update.IsFinal && _context is { } context)
        {
            _stop.Resume(context);
        }
    }

    public void OnStop() => _context = null;

    public StrategyState GetState() => new BollingerBreakoutState
    {
        Bands = _bands.GetState(),
        ProtectiveStopId = _stop.OrderId,
        ProtectiveStopCloseReason = _stop.PendingCloseReason,
    };

    public void Restore(StrategyState state)
    {
        StrategyGuard.NotStarted(_context, Kind);
        var snapshot = StrategyGuard.StateOf<BollingerBreakoutState>(state, Kind);
        StrategyGuard.SamePeriod(Parameters.Period, snapshot.Bands.Deviation.Period, "period");
        if (snapshot.Bands.K != Parameters.K)
        {
            throw new ArgumentException($"Snapshot was taken with k {snapshot.Bands.K}, but the strategy has {Parameters.K}.", nameof(state));
        }

        _bands = BollingerBands.FromState(snapshot.Bands);
        _stop.Restore(snapshot.ProtectiveStopId, snapshot.ProtectiveStopCloseReason);
    }
}
