using OrleansTrader.Domain.Indicators;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// The context a host gives a strategy. The host advances time, sets positions, feeds order updates and drains the
/// emitted intents; it persists <see cref="NextSequence"/> with the strategy's snapshot so ids continue after a
/// restart instead of repeating. Pure and single-threaded, like the strategy it serves.
/// </summary>
public sealed class StrategyContext : IStrategyContext
{
    private readonly Dictionary<string, StrategyPosition> _positions = new(StringComparer.Ordinal);
    private readonly List<StrategyOrderView> _openOrders = [];
    private readonly Dictionary<string, IIndicator> _indicators = new(StringComparer.Ordinal);
    private readonly List<OrderIntent> _pending = [];
    private readonly List<string> _cancels = [];

    public StrategyContext(string strategyId, IEnumerable<string> symbols, DateTimeOffset now, long nextSequence = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(strategyId);
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentOutOfRangeException.ThrowIfLessThan(nextSequence, 1L);
        var list = symbols.Distinct(StringComparer.Ordinal).ToArray();
        if (list.Length == 0 || list.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("A strategy needs at least one symbol, and no symbol may be blank.", nameof(symbols));
        }

        StrategyId = strategyId;
        Symbols = list;
        Now = now;
        NextSequence = nextSequence;
    }

    public string StrategyId { get; }

    public DateTimeOffset Now { get; private set; }

    public IReadOnlyList<string> Symbols { get; }

    /// <summary>Set by the host around a warm-up; it refuses the intents drained meanwhile.</summary>
    public bool IsWarmingUp { get; set; }

    /// <summary>The sequence number the next intent will carry.</summary>
    public long NextSequence { get; private set; }

    public IReadOnlyList<StrategyOrderView> OpenOrders => _openOrders;

    /// <summary>True when intents or cancels wait to be drained.</summary>
    public bool HasPending => _pending.Count > 0 || _cancels.Count > 0;

    public IReadOnlyDictionary<string, IIndicator> Indicators => _indicators;

    public StrategyPosition GetPosition(string symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return _positions.TryGetValue(symbol, out var position) ? position : new StrategyPosition(symbol, 0m, 0m);
    }

    public bool HasOpenOrder(string symbol) => _openOrders.Exists(o => string.Equals(o.Symbol, symbol, StringComparison.Ordinal));

    public void RegisterIndicator(string name, IIndicator indicator)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(indicator);
        if (!_indicators.TryAdd(name, indicator))
        {
            throw new InvalidOperationException($"An indicator named '{name}' is already registered.");
        }
    }

    public OrderIntent SubmitOrder(OrderIntentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        var sequence = NextSequence++;
        var intent = new OrderIntent
        {
            StrategyId = StrategyId,
            ClientOrderId = ClientOrderIds.Create(StrategyId, sequence),
            Sequence = sequence,
            Symbol = request.Symbol,
            Side = request.Side,
            Quantity = request.Quantity,
            Type = request.Type,
            LimitPrice = request.LimitPrice,
            StopPrice = request.StopPrice,
            TrailPrice = request.TrailPrice,
            TrailPercent = request.TrailPercent,
            TimeInForce = request.TimeInForce,
            Reason = request.Reason,
            CreatedAt = Now,
        };
        _pending.Add(intent);
        _openOrders.Add(new StrategyOrderView
        {
            ClientOrderId = intent.ClientOrderId,
            Symbol = intent.Symbol,
            Side = intent.Side,
            Type = intent.Type,
            Quantity = intent.Quantity,
            LimitPrice = intent.LimitPrice,
            StopPrice = intent.StopPrice,
            TrailPrice = intent.TrailPrice,
            TrailPercent = intent.TrailPercent,
            Status = OrderStatus.PendingNew,
        });
        return intent;
    }

    /// <summary>Moves the clock forward; time never runs backwards for a strategy.</summary>
    public void AdvanceTo(DateTimeOffset now)
    {
        if (now < Now)
        {
            throw new ArgumentOutOfRangeException(nameof(now), now, $"Time cannot move backwards from {Now:O} to {now:O}.");
        }

        Now = now;
    }

    public void SetPosition(string symbol, decimal quantity, decimal averagePrice)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        ArgumentOutOfRangeException.ThrowIfNegative(averagePrice);
        _positions[symbol] = new StrategyPosition(symbol, quantity, quantity == 0m ? 0m : averagePrice);
    }

    /// <summary>Records an order's new state; final states remove it from <see cref="OpenOrders"/>. Unknown ids are ignored and reported false.</summary>
    public bool ApplyOrderUpdate(StrategyOrderUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var index = IndexOfOpenOrder(update.ClientOrderId);
        if (index < 0)
        {
            return false;
        }

        if (update.IsFinal)
        {
            _openOrders.RemoveAt(index);
        }
        else
        {
            _openOrders[index] = _openOrders[index] with { Status = update.Status, FilledQuantity = update.FilledQuantity };
        }

        return true;
    }

    /// <summary>
    /// Lowers the quantity of an open order not yet sent (the host sends less than was asked, e.g. only the closing part of
    /// a reversal while the account is REDUCING), so the strategy sees the order that works. False for an unknown id.
    /// </summary>
    public bool CutOpenOrder(string clientOrderId, decimal quantity)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        var index = IndexOfOpenOrder(clientOrderId);
        if (index < 0)
        {
            return false;
        }

        if (quantity <= 0m || quantity > _openOrders[index].Quantity)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, $"A cut order keeps a quantity in (0, {_openOrders[index].Quantity}]; got {quantity}.");
        }

        _openOrders[index] = _openOrders[index] with { Quantity = quantity };
        return true;
    }

    /// <summary>
    /// Asks again, under the next client order id, for part of an open order the account refused (the host re-sends only
    /// the closing part of a reversal refused as reduce-only). The new order is open beside the refused one, which the host
    /// then ends; the host sends the returned intent itself.
    /// </summary>
    public OrderIntent ReissueOpenOrder(OrderIntent refused, decimal quantity)
    {
        ArgumentNullException.ThrowIfNull(refused);
        var index = IndexOfOpenOrder(refused.ClientOrderId);
        if (index < 0)
        {
            throw new InvalidOperationException($"Order '{refused.ClientOrderId}' is not open.");
        }

        if (quantity <= 0m || quantity > refused.Quantity)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, $"A reissued order keeps a quantity in (0, {refused.Quantity}]; got {quantity}.");
        }

        var sequence = NextSequence++;
        var intent = refused with { ClientOrderId = ClientOrderIds.Create(StrategyId, sequence), Sequence = sequence, Quantity = quantity, CreatedAt = Now };
        _openOrders.Add(_openOrders[index] with { ClientOrderId = intent.ClientOrderId, Quantity = quantity, FilledQuantity = 0m, Status = OrderStatus.PendingNew });
        return intent;
    }

    /// <summary>
    /// Moves the next sequence past one that an order of the strategy already carries at the account (its earlier run
    /// placed the order and died before its next sequence was persisted), so no intent names that order again. True when it moved.
    /// </summary>
    public bool AdvanceSequencePast(long sequence)
    {
        if (sequence < NextSequence)
        {
            return false;
        }

        NextSequence = sequence + 1;
        return true;
    }

    private int IndexOfOpenOrder(string clientOrderId) =>
        _openOrders.FindIndex(o => string.Equals(o.ClientOrderId, clientOrderId, StringComparison.Ordinal));

    /// <summary>Re-adds an order known to be open (e.g. after a restart, from the account's records).</summary>
    public void TrackOpenOrder(StrategyOrderView order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (HasOrder(order.ClientOrderId))
        {
            throw new InvalidOperationException($"Order '{order.ClientOrderId}' is already tracked.");
        }

        _openOrders.Add(order);
    }

    public bool CancelOrder(string clientOrderId)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        if (!HasOrder(clientOrderId))
        {
            return false;
        }

        if (!_cancels.Contains(clientOrderId, StringComparer.Ordinal))
        {
            _cancels.Add(clientOrderId);
        }

        return true;
    }

    /// <summary>Returns the client order ids whose cancel was asked for since the last call, oldest first, and forgets them.</summary>
    public IReadOnlyList<string> DrainCancels()
    {
        var drained = _cancels.ToArray();
        _cancels.Clear();
        return drained;
    }

    /// <summary>Returns the intents emitted since the last call, oldest first, and forgets them.</summary>
    public IReadOnlyList<OrderIntent> DrainIntents()
    {
        var drained = _pending.ToArray();
        _pending.Clear();
        return drained;
    }

    /// <summary>The account's validator says the same; checked here too so a strategy's mistake shows in its own log and tests.</summary>
    private static void ValidateTrail(OrderIntentRequest request)
    {
        if (request.Type != OrderType.TrailingStop)
        {
            if (request.TrailPrice.HasValue || request.TrailPercent.HasValue)
            {
                throw new ArgumentException($"A {request.Type} order takes no trail; only trailing stops do.", nameof(request));
            }

            return;
        }

        if (request.TrailPrice.HasValue == request.TrailPercent.HasValue)
        {
            throw new ArgumentException("A trailing stop needs exactly one of trail price or trail percent.", nameof(request));
        }

        if (request.TrailPrice is <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.TrailPrice, $"Trail price must be > 0; got {request.TrailPrice}.");
        }

        if (request.TrailPercent is <= 0m or >= 100m)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.TrailPercent, $"Trail percent must be in (0, 100); got {request.TrailPercent}.");
        }

        if (request.TimeInForce is not (TimeInForce.Day or TimeInForce.Gtc))
        {
            throw new ArgumentException($"A trailing stop is DAY or GTC; got {request.TimeInForce}.", nameof(request));
        }
    }

    private bool HasOrder(string clientOrderId) =>
        _openOrders.Exists(o => string.Equals(o.ClientOrderId, clientOrderId, StringComparison.Ordinal));

    private void Validate(OrderIntentRequest request)
    {
        if (!Symbols.Contains(request.Symbol, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Symbol '{request.Symbol}' is not one of this strategy's symbols ({string.Join(", ", Symbols)}).", nameof(request));
        }

        if (request.Quantity <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Quantity, $"Quantity must be > 0; got {request.Quantity}.");
        }

        var needsLimit = request.Type is OrderType.Limit or OrderType.StopLimit;
        var needsStop = request.Type is OrderType.Stop or OrderType.StopLimit;
        if (needsLimit != request.LimitPrice.HasValue || (request.LimitPrice is { } limit && limit <= 0m))
        {
            throw new ArgumentException($"A {request.Type} order {(needsLimit ? "needs a positive" : "takes no")} limit price.", nameof(request));
        }

        if (needsStop != request.StopPrice.HasValue || (request.StopPrice is { } stop && stop <= 0m))
        {
            throw new ArgumentException($"A {request.Type} order {(needsStop ? "needs a positive" : "takes no")} stop price.", nameof(request));
        }

        ValidateTrail(request);

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            throw new ArgumentException("An order intent needs a reason.", nameof(request));
        }
    }
}
