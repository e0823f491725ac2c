using OrleansTrader.Domain.Indicators;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// Long-only RSI mean reversion on bar closes (Wilder RSI including the current close). Flat and RSI below
/// oversold: buy quantity. Long and RSI above overbought (or at/above 50 with exit-at-mid): sell the whole position.
/// Nothing is submitted while an order for the symbol is open, but for the <see cref="ProtectiveStop"/> that
/// <c>trailingStopPercent</c> keeps on the position: an exit withdraws it first and goes once its cancel is confirmed.
/// </summary>
public sealed class RsiMeanReversionStrategy : IStrategy
{
    private const decimal Mid = 50m;
    private RelativeStrengthIndex _rsi;
    private IStrategyContext? _context;
    private readonly ProtectiveStop _stop;

    public RsiMeanReversionStrategy(RsiMeanReversionParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.EnsureValid(StrategyKinds.RsiMeanReversion);
        Parameters = parameters;
        _rsi = new RelativeStrengthIndex(parameters.Period);
        _stop = new ProtectiveStop(parameters.Symbol, parameters.TrailingStopPercent);
    }

    public string Kind => StrategyKinds.RsiMeanReversion;

    /// <summary>Bars for the next close makes the RSI ready.</summary>
    public int WarmUpBars => Parameters.Period;

    public RsiMeanReversionParameters Parameters { get; }

    public void OnStart(IStrategyContext context)
    {
        StrategyGuard.Attach(context, Parameters);
        context.RegisterIndicator("rsi", _rsi);
        _context = context;
    }

    public void OnBar(Bar bar)
    {
        ArgumentNullException.ThrowIfNull(bar);
        var context = StrategyGuard.Started(_context, Kind);
        if (!string.Equals(bar.Symbol, Parameters.Symbol, StringComparison.Ordinal) || _rsi.Update(bar.Close) is not { } rsi)
        {
            return;
        }

        var position = context.GetPosition(Parameters.Symbol).Quantity;
        if (position == 0m && rsi < Parameters.Oversold && !context.HasOpenOrder(Parameters.Symbol))
        {
            context.SubmitOrder(new OrderIntentRequest
            {
                Symbol = Parameters.Symbol,
                Side = OrderSide.Buy,
                Quantity = Parameters.Quantity,
                Reason = StrategyGuard.Format($"RSI({Parameters.Period}) {rsi:0.##} < oversold {Parameters.Oversold}"),
            });
        }
        else if (position > 0m && (Parameters.ExitAtMid ? rsi >= Mid : rsi > Parameters.Overbought))
        {
            var threshold = Parameters.ExitAtMid ? Mid : Parameters.Overbought;
            _stop.ClosePosition(context, StrategyGuard.Format($"RSI({Parameters.Period}) {rsi:0.##} reached exit {threshold}"));
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

    public StrategyState GetState() => new RsiMeanReversionState
    {
        Rsi = _rsi.GetState(),
        ProtectiveStopId = _stop.OrderId,
        ProtectiveStopCloseReason = _stop.PendingCloseReason,
    };

    public void Restore(StrategyState state)
    {
        StrategyGuard.NotStarted(_context, Kind);
        var snapshot = StrategyGuard.StateOf<RsiMeanReversionState>(state, Kind);
        StrategyGuard.SamePeriod(Parameters.Period, snapshot.Rsi.Period, "period");
        _rsi = RelativeStrengthIndex.FromState(snapshot.Rsi);
        _stop.Restore(snapshot.ProtectiveStopId, snapshot.ProtectiveStopCloseReason);
    }
}
