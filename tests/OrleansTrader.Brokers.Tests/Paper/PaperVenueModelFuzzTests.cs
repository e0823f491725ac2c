using System.Diagnostics;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// A seeded, stateful random walk over one account at the paper venue, driven through its client: simple orders of every
/// type and time in force, brackets, OCOs and OTOs, replaces, cancels, idempotent resubmits, quotes and trades that fill,
/// partly fill and trigger them, halts, clock moves over the session close and to the next open, and venue restarts on
/// the same store. After every step the venue is checked against a model the test keeps: each fill is checked against
/// the order (limit, trigger, quantity left, group state) and the market at that instant (touch, displayed size left,
/// prints through the limit), orders the market should have filled must have filled, statuses follow from the fills and
/// the requests, final orders never change, open orders, positions and executions equal the model's, and every
/// execution is reported once, with its own id, across restarts (with latency, seeds 3 and 4, a report still in its
/// latency when the venue stops is lost by design, and only such a one). A failure names the seed and step (and the steps
/// before it), so it replays exactly.
/// </summary>
public sealed class PaperVenueModelFuzzTests
{
    private static readonly string[] Symbols = ["FZA", "FZB"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 20)]
    [InlineData(4, 20)]
    public async Task RandomSteps_KeepTheVenueEqualToTheModelOfItsOrdersFillsAndMarket(int seed, int latencyMs)
    {
        await using var run = await FuzzRun.StartAsync(seed, TimeSpan.FromMilliseconds(latencyMs));
        for (var step = 1; step <= 400; step++)
        {
            await run.StepAsync(step);
        }

        await run.CheckReportsAsync(flush: true);

        // The walk reached what it is for: partial fills, group exits, expiries, restarts.
        var covered = run.Covered(out var coverage);
        TestContext.Current.TestOutputHelper?.WriteLine(coverage);
        Assert.True(covered, coverage);
    }

    private enum Role
    {
        Simple,
        Entry,
        Exit,
        OcoParent,
        OcoStop,
    }

    /// <summary>What the model knows of one order.</summary>
    private sealed class ModelOrder
    {
        public required string Id { get; init; }

        public required string Symbol { get; init; }

        public required OrderSide Side { get; init; }

        public required OrderType Type { get; init; }

        public required TimeInForce Tif { get; init; }

        public required Role Role { get; init; }

        public decimal Quantity { get; set; }

        public decimal OriginalQuantity { get; init; }

        public decimal? Limit { get; init; }

        public decimal? Stop { get; init; }

        public DateTimeOffset? ExpiresAt { get; init; }

        public string? ParentId { get; init; }

        public string? SiblingId { get; set; }

        public List<string> Children { get; } = [];

        public bool Held { get; set; }

        public bool Triggered { get; set; }

        public decimal Filled { get; set; }

        public decimal Notional { get; set; }

        public int FillCount { get; set; }

        public OrderStatus? Final { get; set; }

        public HashSet<OrderStatus>? FinalAllowed { get; set; }

        public BrokerOrder? FinalView { get; set; }

        public bool IsOpen => Final is null && FinalAllowed is null;

        public bool IsLimitLike => Type is OrderType.Limit or OrderType.StopLimit;

        public bool IsStopLike => Type is OrderType.Stop or OrderType.StopLimit;

        public override string ToString() =>
            $"{Id[^6..]} {Role} {Side} {Type} {Tif} qty {Quantity} filled {Filled} lmt {Limit} stp {Stop}{(Held ? " held" : "")}{(Triggered ? " triggered" : "")}";
    }

    private sealed class ModelQuote(DateTimeOffset at, decimal bid, decimal ask, decimal bidSize, decimal askSize)
    {
        public DateTimeOffset At { get; } = at;

        public decimal Bid { get; } = bid;

        public decimal Ask { get; } = ask;

        public decimal BidLeft { get; set; } = bidSize;

        public decimal AskLeft { get; set; } = askSize;

        public override string ToString() => $"{Bid}x{BidLeft} / {Ask}x{AskLeft}";
    }

    /// <summary>The market event of the step under way, as the model follows it while it checks the step's fills.</summary>
    private sealed class StepContext
    {
        public string? Symbol { get; init; }

        public decimal? TradePrice { get; init; }

        public decimal TradeLeft { get; set; }

        /// <summary>Orders resting (not held) when the step began: only they can see its trade.</summary>
        public HashSet<string> RestingBefore { get; init; } = [];

        /// <summary>Stop-limits already triggered before the step's trade: only they may fill at their limit on it.</summary>
        public HashSet<string> TriggeredBefore { get; init; } = [];

        /// <summary>Orders the venue evaluated in this step: the market must have filled them if it could.</summary>
        public HashSet<string> Evaluated { get; } = [];
    }

    /// <summary>One seed's venue, market and model.</summary>
    private sealed class FuzzRun : IAsyncDisposable
    {
        private readonly Random _random;
        private readonly int _seed;
        private readonly ManualTimeProvider _time = new(PaperHarness.Start);
        private readonly InMemoryPaperVenueStore _store = new();
        private readonly Dictionary<string, ModelOrder> _orders = new(StringComparer.Ordinal);
        private readonly List<string> _arrival = [];
        private readonly Dictionary<string, string> _clientIds = new(StringComparer.Ordinal);
        private readonly List<Execution> _executions = [];
        private readonly HashSet<string> _executionIds = new(StringComparer.Ordinal);
        private readonly Dictionary<string, decimal> _mids = [];
        private readonly Dictionary<string, ModelQuote?> _quotes = [];
        private readonly HashSet<string> _halted = [];
        private readonly List<ExecutionReport> _reports = [];
        private readonly List<string> _log = [];
        private readonly HashSet<string> _unreported = new(StringComparer.Ordinal);
        private PaperHarness _venue = null!;
        private int _executionsAtStart;
        private int _clientSeq;
        private int _partials;
        private int _groupFills;
        private int _expired;
        private int _restarts;
        private int _checks;

        private readonly TimeSpan _latency;

        private FuzzRun(int seed, TimeSpan latency)
        {
            _seed = seed;
            _latency = latency;
            _random = new Random(seed);
            foreach (var symbol in Symbols)
            {
                _mids[symbol] = 100m;
                _quotes[symbol] = null;
            }
        }

        private DateTimeOffset Now => _time.GetUtcNow();

        private IBrokerClient Client => _venue.Client;

        public static async Task<FuzzRun> StartAsync(int seed, TimeSpan latency)
        {
            var run = new FuzzRun(seed, latency);
            await run.OpenVenueAsync();
            return run;
        }

        public async ValueTask DisposeAsync() => await _venue.DisposeAsync();

        public bool Covered(out string coverage)
        {
            coverage = $"seed {_seed}: {_executions.Count} fills, {_partials} partly filled, {_groupFills} group exit fills, {_expired} expired, {_restarts} restarts";
            return _executions.Count > 0 && _partials > 0 && _groupFills > 0 && _expired > 0 && _restarts > 0;
        }

        private async Task OpenVenueAsync()
        {
            _venue = await PaperHarness.StartAsync(o =>
            {
                o.MaxRetainedOrders = 40;
                o.AckLatency = _latency;
                o.FillLatency = _latency;
            }, time: _time, store: _store);
            _executionsAtStart = _executions.Count;
        }

        public async Task StepAsync(int step)
        {
            var roll = _random.Next(100);
            StepContext context;
            string what;
            if (!MarketOpen && _random.Next(4) == 0)
            {
                (what, context) = await AdvanceAsync(NyseCalendar.Instance.NextOpen(Now) - Now + TimeSpan.FromMinutes(_random.Next(0, 30)));
            }
            else if (roll < 26)
            {
                (what, context) = await SubmitAsync();
            }
            else if (roll < 29)
            {
                (what, context) = await ResubmitAsync();
            }
            else if (roll < 37)
            {
                (what, context) = await ReplaceAsync();
            }
            else if (roll < 45)
            {
                (what, context) = await CancelAsync();
            }
            else if (roll < 70)
            {
                (what, context) = await QuoteAsync();
            }
            else if (roll < 83)
            {
                (what, context) = await TradeAsync();
            }
            else if (roll < 90)
            {
                (what, context) = await AdvanceAsync(TimeSpan.FromMinutes(_random.Next(1, 20)));
            }
            else if (roll < 93)
            {
                (what, context) = await AdvanceAsync(NyseCalendar.Instance.NextClose(Now) - Now + TimeSpan.FromMinutes(_random.Next(0, 30)));
            }
            else if (roll < 96)
            {
                (what, context) = await AdvanceAsync(NyseCalendar.Instance.NextOpen(Now) - Now + TimeSpan.FromMinutes(_random.Next(0, 30)));
            }
            else if (roll < 99)
            {
                (what, context) = await RestartAsync();
            }
            else
            {
                (what, context) = Halt();
            }

            _log.Add($"{step}: {what}");
            try
            {
                await CheckAsync(context);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException(
                    $"seed {_seed}, step {step}: {ex.Message}\nopen: {string.Join("; ", _orders.Values.Where(o => o.IsOpen))}\nsteps:\n{string.Join("\n", _log.TakeLast(40))}", ex);
            }
        }

        private StepContext Begin(string? symbol = null, decimal? tradePrice = null, decimal tradeSize = 0m) => new()
        {
            Symbol = symbol,
            TradePrice = tradePrice,
            TradeLeft = tradeSize,
            RestingBefore = [.. _orders.Values.Where(o => o.IsOpen && !o.Held).Select(o => o.Id)],
            TriggeredBefore = [.. _orders.Values.Where(o => o.IsOpen && o.Triggered).Select(o => o.Id)],
        };

        private bool MarketOpen => NyseCalendar.Instance.IsOpen(Now, includeExtended: false);

        // The venue matches only a quote from the session now open: one from before its open (Friday's, the pre-market's)
        // standing in the book is no quote.
        private ModelQuote? SessionQuote(string symbol) =>
            _quotes[symbol] is { } quote && NyseCalendar.Instance.OpenedAt(Now, includeExtended: false) is { } opened && quote.At < opened ? null : _quotes[symbol];

        private decimal Price(decimal around) => Math.Max(1m, Math.Round(around, 2));

        private async Task<(string, StepContext)> SubmitAsync()
        {
            var symbol = Symbols[_random.Next(Symbols.Length)];
            var mid = _mids[symbol];
            var side = _random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
            var sign = side == OrderSide.Buy ? 1m : -1m;
            var quantity = (decimal)_random.Next(1, 40);
            var classRoll = _random.Next(10);
            var orderClass = classRoll switch { < 6 => OrderClass.Simple, 6 or 7 => OrderClass.Bracket, 8 => OrderClass.Oco, _ => OrderClass.Oto };
            var type = orderClass == OrderClass.Oco ? OrderType.Limit
                : new[] { OrderType.Market, OrderType.Limit, OrderType.Stop, OrderType.StopLimit }[_random.Next(4)];
            var tif = orderClass == OrderClass.Simple
                ? new[] { TimeInForce.Day, TimeInForce.Gtc, TimeInForce.Ioc, TimeInForce.Fok }[_random.Next(4)]
                : _random.Next(2) == 0 ? TimeInForce.Day : TimeInForce.Gtc;
            var stop = Price(mid + (sign * _random.Next(-20, 80) / 100m));
            var limit = type == OrderType.StopLimit
                ? Price(stop + (sign * _random.Next(-10, 40) / 100m))
                : Price(mid + (sign * _random.Next(-40, 60) / 100m));

            // Exits trade against the entry (an OCO is itself the exit): the take-profit on the profitable side of the stop.
            var exitSide = orderClass == OrderClass.Oco ? side : side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
            var exitSign = exitSide == OrderSide.Sell ? 1m : -1m;
            var target = Price(mid + (exitSign * _random.Next(5, 120) / 100m));
            var stopLoss = Price(mid - (exitSign * _random.Next(5, 120) / 100m));
            ExitLeg? takeProfitLeg = new(LimitPrice: target);
            ExitLeg? stopLossLeg = new(StopPrice: stopLoss, LimitPrice: _random.Next(3) == 0 ? Price(stopLoss - (exitSign * 0.10m)) : null);
            if (orderClass == OrderClass.Oto)
            {
                if (_random.Next(2) == 0)
                {
                    stopLossLeg = null;
                }
                else
                {
                    takeProfitLeg = null;
                }
            }
            else if (orderClass == OrderClass.Simple)
            {
                (takeProfitLeg, stopLossLeg) = (null, null);
            }

            var request = new OrderRequest
            {
                ClientOrderId = $"fz{_seed}-{++_clientSeq}",
                Symbol = symbol,
                Side = side,
                Type = type,
                Quantity = quantity,
                LimitPrice = orderClass == OrderClass.Oco ? target : type is OrderType.Limit or OrderType.StopLimit ? limit : null,
                StopPrice = type is OrderType.Stop or OrderType.StopLimit ? stop : null,
                TimeInForce = tif,
                OrderClass = orderClass,
                TakeProfit = takeProfitLeg,
                StopLoss = stopLossLeg,
            };
            var what = $"submit {request.ClientOrderId} {orderClass} {side} {quantity} {symbol} {type} {tif} lmt {request.LimitPrice} stp {request.StopPrice} tp {takeProfitLeg?.LimitPrice} sl {stopLossLeg?.StopPrice}/{stopLossLeg?.LimitPrice} (quote {_quotes[symbol]}, open {MarketOpen})";
            var context = Begin(symbol);
            BrokerOrder placed;
            try
            {
                placed = await Client.SubmitOrderAsync(request, Ct);
            }
            catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.Rejected && _halted.Contains(symbol))
            {
                Assert.Contains("TRADING_HALTED", ex.Message, StringComparison.Ordinal);
                return ($"{what} -> rejected (halted)", context);
            }

            Assert.False(_halted.Contains(symbol), $"{what}: accepted while {symbol} is halted");
            if (_latency > TimeSpan.Zero)
            {
                // The venue accepts (and first matches) it after its acknowledgement latency, from its timer.
                Assert.Equal(OrderStatus.PendingNew, placed.Status);
                _time.Advance(_latency);
                var waited = Stopwatch.StartNew();
                while ((await Client.GetOrderAsync(placed.OrderId, Ct))!.Status == OrderStatus.PendingNew && waited.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(5, Ct);
                }

                placed = (await Client.GetOrderAsync(placed.OrderId, Ct))!;
            }

            Assert.Equal(request.ClientOrderId, placed.ClientOrderId);
            var expires = tif == TimeInForce.Day ? NyseCalendar.Instance.NextClose(Now) : (DateTimeOffset?)null;
            var role = orderClass switch { OrderClass.Simple => Role.Simple, OrderClass.Oco => Role.OcoParent, _ => Role.Entry };
            var entry = Add(new ModelOrder
            {
                Id = placed.OrderId, Symbol = symbol, Side = side, Type = type, Tif = tif, Role = role, Quantity = quantity, OriginalQuantity = quantity,
                Limit = request.LimitPrice, Stop = request.StopPrice, ExpiresAt = expires,
            });
            _clientIds[request.ClientOrderId] = placed.OrderId;
            context.Evaluated.Add(entry.Id);
            if (orderClass != OrderClass.Simple)
            {
                Assert.Equal(orderClass == OrderClass.Oto ? 1 : orderClass == OrderClass.Oco ? 1 : 2, placed.Legs.Count);
                foreach (var leg in placed.Legs)
                {
                    Assert.Equal(placed.OrderId, leg.ParentOrderId);
                    Assert.Equal(exitSide, leg.Side);
                    var child = Add(new ModelOrder
                    {
                        Id = leg.OrderId, Symbol = symbol, Side = exitSide, Type = leg.Type, Tif = tif,
                        Role = orderClass == OrderClass.Oco ? Role.OcoStop : Role.Exit, Quantity = quantity,
                        Limit = leg.Type == OrderType.Limit ? target : stopLossLeg?.LimitPrice,
                        Stop = leg.Type == OrderType.Limit ? null : stopLoss, ExpiresAt = expires, ParentId = entry.Id,
                        Held = orderClass != OrderClass.Oco,
                    });
                    entry.Children.Add(child.Id);
                    if (orderClass == OrderClass.Oco)
                    {
                        context.Evaluated.Add(child.Id);
                    }
                }

                var (a, b) = orderClass == OrderClass.Oco ? (entry.Id, entry.Children[0]) : (entry.Children[0], entry.Children.ElementAtOrDefault(1));
                if (b is not null)
                {
                    _orders[a].SiblingId = b;
                    _orders[b].SiblingId = a;
                }
            }

            return ($"{what} -> {placed.OrderId[^6..]} {placed.Status}", context);
        }

        private ModelOrder Add(ModelOrder order)
        {
            Assert.False(_orders.ContainsKey(order.Id), $"order id {order.Id} given twice");
            _orders[order.Id] = order;
            _arrival.Add(order.Id);
            return order;
        }

        private async Task<(string, StepContext)> ResubmitAsync()
        {
            var context = Begin();
            if (_clientIds.Count == 0)
            {
                return ("resubmit (nothing submitted)", context);
            }

            var (clientId, orderId) = _clientIds.ElementAt(_random.Next(_clientIds.Count));
            var order = _orders[orderId];
            var again = await Client.SubmitOrderAsync(new OrderRequest
            {
                ClientOrderId = clientId, Symbol = order.Symbol, Side = order.Side, Type = OrderType.Market, Quantity = 1m,
                TimeInForce = TimeInForce.Day,
            }, Ct);
            Assert.Equal(orderId, again.OrderId);
            return ($"resubmit {clientId} -> {again.Status}", context);
        }

        private async Task<(string, StepContext)> ReplaceAsync()
        {
            var candidates = _orders.Values.Where(o => o.IsOpen && (_random.Next(4) != 0 || o.Role == Role.Simple)).ToList();
            if (candidates.Count == 0 || _random.Next(10) == 0)
            {
                // Sometimes a final order: the venue refuses it and changes nothing.
                candidates = [.. _orders.Values.Where(o => !o.IsOpen && o.Final is not null)];
            }

            if (candidates.Count == 0)
            {
                return ("replace (nothing)", Begin());
            }

            var order = candidates[_random.Next(candidates.Count)];
            var quantity = Math.Max(order.Filled + 1m, order.Quantity + _random.Next(-10, 15));
            decimal? limit = order.Limit is { } l && _random.Next(2) == 0 ? Price(l + (_random.Next(-50, 50) / 100m)) : null;
            if (quantity == order.Quantity && (limit is null || limit == order.Limit))
            {
                quantity = order.Quantity + 1m;
            }

            var replacement = new OrderReplacement { Quantity = quantity, LimitPrice = limit };
            var what = $"replace {order} -> qty {quantity} lmt {limit} (quote {_quotes[order.Symbol]})";
            var context = Begin(order.Symbol);
            var refusal = !order.IsOpen ? "final" : order.Role != Role.Simple ? "group" : _halted.Contains(order.Symbol) ? "halted" : null;
            try
            {
                var fresh = await Client.ReplaceOrderAsync(order.Id, replacement, Ct);
                Assert.True(refusal is null, $"{what}: replaced though the model expected a refusal ({refusal})");
                Assert.Equal(order.Id, fresh.ReplacesOrderId);
                Assert.Equal(quantity - order.Filled, fresh.Quantity);
                order.Final = OrderStatus.Replaced;
                var added = Add(new ModelOrder
                {
                    Id = fresh.OrderId, Symbol = order.Symbol, Side = order.Side, Type = order.Type, Tif = order.Tif, Role = Role.Simple,
                    Quantity = quantity - order.Filled, Limit = limit ?? order.Limit, Stop = order.Stop, ExpiresAt = order.ExpiresAt,
                    Triggered = order.Triggered,
                });
                context.Evaluated.Add(added.Id);
                return ($"{what} -> {fresh.OrderId[^6..]} {fresh.Status}", context);
            }
            catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.Rejected)
            {
                Assert.True(refusal is not null, $"{what}: refused ({ex.Message}) though the model expected a replace");
                return ($"{what} -> refused ({refusal})", context);
            }
        }

        private async Task<(string, StepContext)> CancelAsync()
        {
            // Clients cancel what they submitted: simple orders, entries and OCOs (a leg is left to its group).
            var candidates = _orders.Values.Where(o => o.Role != Role.Exit && o.Role != Role.OcoStop && (o.IsOpen || _random.Next(8) == 0)).ToList();
            if (candidates.Count == 0)
            {
                return ("cancel (nothing)", Begin());
            }

            var order = candidates[_random.Next(candidates.Count)];
            var what = $"cancel {order} (quote {_quotes[order.Symbol]})";
            var context = Begin(order.Symbol);
            var open = order.IsOpen;
            try
            {
                var canceled = await Client.CancelOrderAsync(order.Id, Ct);
                Assert.True(open, $"{what}: canceled an order the model holds final ({order.Final})");
                Assert.Equal(OrderStatus.Canceled, canceled.Status);
            }
            catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.Rejected)
            {
                Assert.False(open, $"{what}: refused ({ex.Message}) though the order is open");
                return ($"{what} -> refused", context);
            }

            if (order.Role == Role.OcoParent)
            {
                order.Final = OrderStatus.Canceled;
                if (order.SiblingId is { } sibling && _orders[sibling].IsOpen)
                {
                    _orders[sibling].Final = OrderStatus.Canceled;
                }
            }
            else
            {
                order.Final = OrderStatus.Canceled;
                EntryEnded(order, context);
            }

            return ($"{what} -> canceled", context);
        }

        private async Task<(string, StepContext)> QuoteAsync()
        {
            var symbol = Symbols[_random.Next(Symbols.Length)];
            var mid = Price(_mids[symbol] + (_random.Next(-60, 61) / 100m));
            _mids[symbol] = mid;
            var spread = _random.Next(1, 6) / 100m;
            var bid = Price(mid - spread);
            var ask = Price(mid + spread);
            decimal Size() => _random.Next(6) == 0 ? 0m : _random.Next(1, 60);
            var (bidSize, askSize) = (Size(), Size());
            var context = Begin(symbol);
            await _venue.Exchange.UpdateQuoteAsync(new QuoteTick(symbol, Now, bid, bidSize, ask, askSize), Ct);
            _quotes[symbol] = new ModelQuote(Now, bid, ask, bidSize, askSize);
            if (MarketOpen && !_halted.Contains(symbol))
            {
                context.Evaluated.UnionWith(_orders.Values.Where(o => o.IsOpen && !o.Held && o.Symbol == symbol).Select(o => o.Id));
            }

            return ($"quote {symbol} {bid}x{bidSize} / {ask}x{askSize}", context);
        }

        private async Task<(string, StepContext)> TradeAsync()
        {
            var symbol = Symbols[_random.Next(Symbols.Length)];
            var price = Price(_mids[symbol] + (_random.Next(-120, 121) / 100m));
            var size = (decimal)_random.Next(1, 80);
            var context = Begin(symbol, price, size);
            if (MarketOpen && !_halted.Contains(symbol))
            {
                // Stops resting before the print trigger on a print at or through them.
                foreach (var order in _orders.Values.Where(o => o.IsOpen && !o.Held && o.Symbol == symbol && o.IsStopLike && !o.Triggered))
                {
                    order.Triggered = order.Side == OrderSide.Buy ? price >= order.Stop : price <= order.Stop;
                }

                context.Evaluated.UnionWith(_orders.Values.Where(o => o.IsOpen && !o.Held && o.Symbol == symbol).Select(o => o.Id));
            }

            await _venue.Exchange.UpdateTradeAsync(new TradeTick(symbol, Now, price, size), Ct);
            return ($"trade {symbol} {size} @ {price} (quote {_quotes[symbol]})", context);
        }

        private async Task<(string, StepContext)> AdvanceAsync(TimeSpan by)
        {
            var context = Begin();
            _time.Advance(by);

            // DAY orders expire at their close; an entry that ends unfilled cancels its exits, one partly filled activates
            // them for what filled, and they expire with it (they share its close).
            for (var pass = 0; pass < 3; pass++)
            {
                foreach (var order in _orders.Values.Where(o => o.IsOpen && !o.Held && o.ExpiresAt <= Now).ToList())
                {
                    order.Final = OrderStatus.Expired;
                    _expired++;
                    EntryEnded(order, context);
                }
            }

            // The timer's expiry runs on its own task; wait for it to land before checking.
            var waited = Stopwatch.StartNew();
            while ((await Client.ListOpenOrdersAsync(Ct)).Any(o => _orders[o.OrderId].ExpiresAt <= Now) && waited.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(5, Ct);
            }

            return ($"advance {by} to {Now:yyyy-MM-dd HH:mm}Z (open {MarketOpen})", context);
        }

        private async Task<(string, StepContext)> RestartAsync()
        {
            // Sometimes the venue stops with fill reports still in their latency: those are lost by design (back-filled).
            await CheckReportsAsync(flush: _random.Next(2) == 0);
            var ordersBefore = new Dictionary<string, BrokerOrder>(StringComparer.Ordinal);
            foreach (var id in _arrival)
            {
                ordersBefore[id] = (await Client.GetOrderAsync(id, Ct))!;
            }

            await _venue.DisposeAsync();
            await OpenVenueAsync();
            _restarts++;

            // The books (quote, halts) live in the process; the account's orders, fills and matching state are saved.
            foreach (var symbol in Symbols)
            {
                _quotes[symbol] = null;
            }

            _halted.Clear();
            foreach (var id in _arrival)
            {
                var after = await Client.GetOrderAsync(id, Ct);
                Assert.NotNull(after);
                Assert.Equal(Comparable(ordersBefore[id]), Comparable(after));
            }

            return ("restart", Begin());
        }

        private (string, StepContext) Halt()
        {
            var symbol = Symbols[_random.Next(Symbols.Length)];
            if (_halted.FirstOrDefault() is { } halted)
            {
                _halted.Remove(halted);
                _venue.Exchange.ResumeTrading(halted);
                return ($"resume {halted}", Begin());
            }

            _halted.Add(symbol);
            _venue.Exchange.HaltTrading(symbol, "fuzz halt");
            return ($"halt {symbol}", Begin());
        }

        /// <summary>A bracket/OTO entry that ended: exits activate for what filled, or are canceled when nothing did.</summary>
        private void EntryEnded(ModelOrder order, StepContext context)
        {
            if (order.Role != Role.Entry)
            {
                return;
            }

            foreach (var child in order.Children.Select(id => _orders[id]).Where(c => c.IsOpen && c.Held))
            {
                if (order.Filled > 0m)
                {
                    Activate(child, order.Filled, context);
                }
                else
                {
                    child.FinalAllowed = [OrderStatus.Canceled, OrderStatus.Expired];
                }
            }
        }

        private static void Activate(ModelOrder child, decimal quantity, StepContext context)
        {
            child.Held = false;
            child.Quantity = quantity;
            context.Evaluated.Add(child.Id);
        }

        /// <summary>Checks the step's new fills against the model and the market, then the whole venue against the model.</summary>
        private async Task CheckAsync(StepContext context)
        {
            var executions = await Client.GetExecutionsSinceAsync(PaperHarness.Start, Ct);
            Assert.True(executions.Count >= _executions.Count, $"the venue lists {executions.Count} executions, the model {_executions.Count}");
            for (var i = 0; i < _executions.Count; i++)
            {
                Assert.Equal(_executions[i], executions[i]);
            }

            foreach (var execution in executions.Skip(_executions.Count))
            {
                CheckNewFill(execution, context);
            }

            // IOC and FOK orders never outlive the step they arrived in.
            foreach (var id in context.Evaluated)
            {
                var order = _orders[id];
                if (order.IsOpen && order.Tif is TimeInForce.Ioc or TimeInForce.Fok)
                {
                    order.Final = OrderStatus.Canceled;
                }
            }

            CheckNothingMissed(context);
            await CheckOrdersAsync();
        }

        private void CheckNewFill(Execution execution, StepContext context)
        {
            var what = $"execution {execution.ExecutionId} {execution.Side} {execution.Quantity} @ {execution.Price} {execution.Liquidity}";
            Assert.True(_executionIds.Add(execution.ExecutionId), $"{what}: execution id repeated");
            Assert.True(_orders.TryGetValue(execution.OrderId, out var order), $"{what}: for an order the model does not know");
            what += $" of {order}";
            Assert.True(order.IsOpen, $"{what}: the order was final ({order.Final})");
            Assert.False(order.Held, $"{what}: a held exit filled before its entry");
            Assert.Equal($"{order.Id}-{order.FillCount + 1}", execution.ExecutionId);
            Assert.Equal(order.Symbol, execution.Symbol);
            Assert.Equal(order.Side, execution.Side);
            Assert.Equal(Now, execution.Timestamp);
            Assert.True(execution.Quantity > 0m && execution.Quantity == decimal.Truncate(execution.Quantity), $"{what}: not a whole positive quantity");
            Assert.True(order.Filled + execution.Quantity <= order.Quantity, $"{what}: fills past the order's quantity");
            Assert.True(MarketOpen, $"{what}: filled while the market is closed");
            Assert.False(_halted.Contains(order.Symbol), $"{what}: filled while the symbol is halted");
            Assert.True(!order.IsStopLike || order.Triggered, $"{what}: a stop filled before a print reached it");
            if (order.Tif == TimeInForce.Fok)
            {
                Assert.Equal(order.Quantity, execution.Quantity);
            }

            var buy = order.Side == OrderSide.Buy;
            if (order.IsLimitLike)
            {
                Assert.True(buy ? execution.Price <= order.Limit : execution.Price >= order.Limit, $"{what}: through its limit");
            }

            var quote = SessionQuote(order.Symbol);
            if (execution.Liquidity == Liquidity.Taker)
            {
                Assert.True(quote is not null, $"{what}: a fill at the touch with no quote");
                Assert.Equal(buy ? quote.Ask : quote.Bid, execution.Price);
                var left = buy ? quote.AskLeft : quote.BidLeft;
                Assert.True(execution.Quantity <= left, $"{what}: takes more than the {left} displayed left");
                if (buy)
                {
                    quote.AskLeft -= execution.Quantity;
                }
                else
                {
                    quote.BidLeft -= execution.Quantity;
                }
            }
            else
            {
                Assert.Equal(Liquidity.Maker, execution.Liquidity);
                Assert.True(order.IsLimitLike, $"{what}: a maker fill of a {order.Type} order");

                // A quote from before the session has no touch but still prices the book for a print through the limit.
                Assert.True(_quotes[order.Symbol] is not null, $"{what}: a fill at its limit with no quote");
                Assert.True(context.Symbol == order.Symbol && context.TradePrice is { } print
                    && (buy ? print < order.Limit : print > order.Limit), $"{what}: at its limit with no print through it ({context.TradePrice})");
                Assert.True(context.RestingBefore.Contains(order.Id), $"{what}: at its limit on a print from before it rested");
                Assert.True(order.Type != OrderType.StopLimit || context.TriggeredBefore.Contains(order.Id), $"{what}: a stop-limit filled at its limit on the print that triggered it");
                Assert.Equal(order.Limit, execution.Price);
                Assert.True(execution.Quantity <= context.TradeLeft, $"{what}: takes more than the {context.TradeLeft} printed left");
                context.TradeLeft -= execution.Quantity;
            }

            _executions.Add(execution);
            order.FillCount++;
            order.Filled += execution.Quantity;
            order.Notional += execution.Quantity * execution.Price;
            if (order.Filled < order.Quantity)
            {
                _partials += order.FillCount == 1 ? 1 : 0;
                OnExitFilled(order);
                return;
            }

            order.Final = OrderStatus.Filled;
            if (order.Role == Role.Entry)
            {
                foreach (var child in order.Children.Select(id => _orders[id]).Where(c => c.IsOpen && c.Held))
                {
                    Activate(child, order.Filled, context);
                }
            }

            OnExitFilled(order);
        }

        /// <summary>An exit's fill: a complete one cancels its sibling, a partial one shrinks it to what is left.</summary>
        private void OnExitFilled(ModelOrder exit)
        {
            if (exit.Role is not (Role.Exit or Role.OcoParent or Role.OcoStop))
            {
                return;
            }

            _groupFills++;
            if (exit.SiblingId is not { } siblingId || _orders[siblingId] is not { IsOpen: true } sibling)
            {
                return;
            }

            if (exit.Final == OrderStatus.Filled)
            {
                sibling.Final = OrderStatus.Canceled;
                return;
            }

            var open = exit.Quantity - exit.Filled;
            if (sibling.Quantity - sibling.Filled > open)
            {
                sibling.Quantity = sibling.Filled + open;
            }
        }

        /// <summary>No order the venue evaluated in this step was left open while the market offered what it asks for.</summary>
        private void CheckNothingMissed(StepContext context)
        {
            if (!MarketOpen)
            {
                return;
            }

            foreach (var order in context.Evaluated.Select(id => _orders[id]).Where(o => o.IsOpen && !o.Held && !_halted.Contains(o.Symbol)))
            {
                var what = $"{order} left open";
                if (order.IsStopLike && !order.Triggered)
                {
                    continue;
                }

                var buy = order.Side == OrderSide.Buy;
                if (SessionQuote(order.Symbol) is { } quote)
                {
                    var (touch, left) = buy ? (quote.Ask, quote.AskLeft) : (quote.Bid, quote.BidLeft);
                    var marketable = !order.IsLimitLike || (buy ? touch <= order.Limit : touch >= order.Limit);
                    Assert.False(marketable && left >= 1m, $"{what} though the touch {touch} shows {left} left (quote {quote})");
                }

                // No quote, no fill: a print through the limit fills it only with a priced touch standing (its size may be gone,
                // or it may be from before the session: the open's first print through a resting limit fills it).
                var priced = _quotes[order.Symbol] is { } standing && (buy ? standing.Ask : standing.Bid) > 0m;
                if (priced && order.IsLimitLike && context.Symbol == order.Symbol && context.TradePrice is { } print && context.RestingBefore.Contains(order.Id)
                    && (order.Type != OrderType.StopLimit || context.TriggeredBefore.Contains(order.Id)))
                {
                    var through = buy ? print < order.Limit : print > order.Limit;
                    Assert.False(through && context.TradeLeft >= 1m, $"{what} though {context.TradeLeft} printed through its limit at {print}");
                }
            }
        }

        private async Task CheckOrdersAsync()
        {
            // Final orders are read back every few steps (and after every restart): the walk keeps hundreds of them.
            var finalsToo = ++_checks % 8 == 0;
            foreach (var id in _arrival)
            {
                var model = _orders[id];
                if (model.FinalView is not null && !finalsToo)
                {
                    continue;
                }

                var venue = await Client.GetOrderAsync(id, Ct);
                Assert.True(venue is not null, $"{model}: unknown to the venue");
                var what = $"{model}: the venue has {venue.Status} qty {venue.Quantity} filled {venue.FilledQuantity}";
                Assert.True(venue.FilledQuantity <= venue.Quantity, $"{what}: filled past its quantity");
                Assert.True(model.Filled == venue.FilledQuantity, $"{what}: its fills sum to {model.Filled}");
                if (model.Filled > 0m)
                {
                    Assert.True(Math.Abs(venue.AverageFillPrice!.Value - (model.Notional / model.Filled)) < 0.0001m, $"{what}: average {venue.AverageFillPrice}");
                }

                if (model.FinalView is { } finalView)
                {
                    Assert.True(Comparable(finalView) == Comparable(venue), $"{what}: changed after it was final ({finalView.Status})");
                    continue;
                }

                Assert.True(model.Quantity == venue.Quantity, $"{what}: the model's quantity is {model.Quantity}");
                if (model.Final is { } final)
                {
                    Assert.True(venue.Status == final, $"{what}: the model expects {final}");
                }
                else if (model.FinalAllowed is { } allowed)
                {
                    Assert.True(allowed.Contains(venue.Status), $"{what}: the model expects one of {string.Join("/", allowed)}");
                    model.Final = venue.Status;
                }
                else
                {
                    Assert.True(venue.Status.IsWorking(), $"{what}: the model expects it open");
                    Assert.True(model.Held == (venue.Status == OrderStatus.PendingNew), $"{what}: held {model.Held}");
                }

                if (venue.Status.IsFinal())
                {
                    model.FinalView = venue;
                }
            }

            var open = (await Client.ListOpenOrdersAsync(Ct)).Select(o => o.OrderId).Order(StringComparer.Ordinal);
            var expected = _orders.Values.Where(o => o.IsOpen).Select(o => o.Id).Order(StringComparer.Ordinal);
            Assert.Equal(expected, open);

            var positions = (await Client.GetPositionsAsync(Ct)).ToDictionary(p => p.Symbol, p => p.Quantity);
            var modelPositions = _executions.GroupBy(e => e.Symbol)
                .Select(g => (Symbol: g.Key, Quantity: g.Sum(e => e.Side == OrderSide.Buy ? e.Quantity : -e.Quantity)))
                .Where(p => p.Quantity != 0m)
                .ToDictionary(p => p.Symbol, p => p.Quantity);
            Assert.Equal(modelPositions.OrderBy(p => p.Key), positions.OrderBy(p => p.Key));

            // Group rules, whatever the path: exits never fill before their entry did, nor past what it filled, nor past the OCO.
            foreach (var parent in _orders.Values.Where(o => o.Role is Role.Entry or Role.OcoParent))
            {
                var exits = parent.Children.Select(c => _orders[c]).ToList();
                var exitFills = exits.Sum(c => c.Filled);
                var bound = parent.Role == Role.Entry ? parent.Filled : parent.OriginalQuantity - parent.Filled;
                Assert.True(exitFills <= bound, $"{parent}: its exits filled {exitFills}, more than {bound}");
                Assert.True(exits.Count(c => c.Final == OrderStatus.Filled) + (parent.Role == Role.OcoParent && parent.Final == OrderStatus.Filled ? 1 : 0) <= 1,
                    $"{parent}: more than one leg filled");
            }
        }

        /// <summary>Every execution was reported once, by a fill report carrying it as the venue keeps it; no order reports after it is final.</summary>
        public async Task CheckReportsAsync(bool flush)
        {
            if (flush && _latency > TimeSpan.Zero)
            {
                _time.Advance(_latency);
            }

            // Every report due by now has been delivered; the collector reads them on its own task.
            var life = _executions.Skip(_executionsAtStart).ToList();
            var due = life.Count(e => e.Timestamp + _latency <= Now);
            if (due > 0)
            {
                await _venue.Reports!.WaitForAsync(r => r.Execution is not null, due);
            }

            var lifeReports = _venue.Reports!.Reports;
            _reports.AddRange(lifeReports);
            var lifeReported = lifeReports.Where(r => r.Execution is not null).Select(r => r.Execution!.ExecutionId).ToHashSet(StringComparer.Ordinal);
            foreach (var lost in life.Where(e => !lifeReported.Contains(e.ExecutionId)))
            {
                Assert.True(lost.Timestamp + _latency > Now, $"execution {lost.ExecutionId} of {lost.Timestamp:O} was never reported (now {Now:O})");
                _unreported.Add(lost.ExecutionId);
            }

            var byId = _executions.ToDictionary(e => e.ExecutionId, StringComparer.Ordinal);
            var reported = _reports.Where(r => r.Execution is not null).Select(r => r.Execution!).ToList();
            Assert.Equal(reported.Count, reported.Select(e => e.ExecutionId).Distinct(StringComparer.Ordinal).Count());
            foreach (var execution in reported)
            {
                Assert.True(byId.TryGetValue(execution.ExecutionId, out var kept), $"reported execution {execution.ExecutionId} is not the venue's");
                Assert.Equal(kept, execution);
            }

            Assert.Equal(_executions.Count - _unreported.Count, reported.Count);
            Assert.DoesNotContain(reported, e => _unreported.Contains(e.ExecutionId));
            foreach (var order in _reports.GroupBy(r => r.Order.OrderId))
            {
                var list = order.ToList();
                var final = list.FindIndex(r => r.Order.Status.IsFinal());
                Assert.True(final < 0 || final == list.Count - 1,
                    $"order {order.Key} reported after it was final: {string.Join(", ", list.Select(r => $"{r.Kind}/{r.Order.Status}"))}");
            }
        }

        private static BrokerOrder Comparable(BrokerOrder order) => order with { Legs = [], UpdatedAt = default };
    }
}
