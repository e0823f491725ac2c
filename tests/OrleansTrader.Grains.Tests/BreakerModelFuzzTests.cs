using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A seeded random walk over the trading state machine of two accounts and the global kill switch, on SQLite storage and
/// a fake clock: manual trips, resets (with and without the risk role, forced or not), global halts and resets, opening
/// and reducing orders, replaces, cancels, fills, daily-loss breaches, day rolls and silo restarts. After every step the
/// breakers, the accounts' effective states, every admission and denial, the audit trail and the venue are checked
/// against an independent model of the breaker rules (docs/domain.md, Circuit breaker). A failure names the seed and step.
/// </summary>
public sealed class BreakerModelFuzzTests : IDisposable
{
    private static readonly string[] Symbols = ["BFA", "BFB"];
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);
    private static readonly BreakerActor Trader = new("trader", HasRiskRole: false);
    private const decimal DailyLossLimit = 300m;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(14)]
    public async Task RandomSteps_KeepBreakersAndAdmissionsEqualToTheModel(int seed)
    {
        await using var run = await FuzzRun.StartAsync(_dir.File($"breaker-fuzz-{seed}.db"), seed);
        for (var step = 1; step <= 120; step++)
        {
            await run.StepAsync(step);
        }

        // The walk reached the states and paths it is for.
        var covered = run.Covered(out var coverage);
        TestContext.Current.TestOutputHelper?.WriteLine(coverage);
        Assert.True(covered, coverage);
    }

    /// <summary>The model of one breaker: its state, the overrides of forced resets, and the transitions it must have audited.</summary>
    private sealed class ModelBreaker
    {
        public TradingState State { get; set; }

        public bool DailyLossOverridden { get; set; }

        public List<BreakerTransition> Audit { get; } = [];

        public void Add(TradingState to, BreakerTrigger trigger, string actor, string reason, bool forced = false)
        {
            Audit.Add(new BreakerTransition { From = State, To = to, Trigger = trigger, Actor = actor, Reason = reason, Timestamp = default, Forced = forced });
            State = to;
        }
    }

    private sealed class FuzzRun : IAsyncDisposable
    {
        private readonly Random _random;
        private readonly FakeTimeProvider _time;
        private readonly TradingCluster _cluster;
        private readonly int _seed;
        private readonly DateTimeOffset _start;
        private readonly Dictionary<string, decimal> _mids = [];
        private readonly Dictionary<string, ModelBreaker> _breakers = new(StringComparer.Ordinal);

        // The day P&L each account last reported to its breaker (what a reset is judged on).
        private readonly Dictionary<string, decimal?> _reportedDayPnl = new(StringComparer.Ordinal);
        private readonly Dictionary<string, HashSet<string>> _venueOrders = new(StringComparer.Ordinal);
        private readonly HashSet<string> _admitted = new(StringComparer.Ordinal);
        private readonly List<string> _log = [];
        private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);
        private int _orders;

        private FuzzRun(TradingCluster cluster, FakeTimeProvider time, int seed)
        {
            _cluster = cluster;
            _time = time;
            _seed = seed;
            _random = new Random(seed);
            _start = time.GetUtcNow();
            foreach (var id in Accounts.Append(BreakerKeys.Global))
            {
                _breakers[id] = new ModelBreaker();
            }
        }

        private string[] Accounts => [$"bf{_seed}a", $"bf{_seed}b"];

        public static async Task<FuzzRun> StartAsync(string path, int seed)
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
            var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
            {
                SqlitePath = path,
                Time = time,
                ConfigureSilo = silo => silo.Configure<AccountGrainOptions>(o =>
                {
                    // Signals and reconciliation run when the test asks (Refresh, restarts), not on timers of the fake clock.
                    o.SignalInterval = TimeSpan.FromHours(1);
                    o.ReconcileInterval = TimeSpan.FromHours(1);
                }),
            });
            var run = new FuzzRun(cluster, time, seed);
            run._mids["BFA"] = 50m;
            run._mids["BFB"] = 80m;
            await run.QuoteAllAsync();
            foreach (var id in run.Accounts)
            {
                var opened = await cluster.Account(id).OpenAsync(new OpenAccount
                {
                    Cash = 1_000_000m,
                    AccountType = AccountType.Margin,
                    RiskLimits = TestAccounts.Loose,
                    BreakerPolicy = BreakerPolicy.Default with { DailyLossLimit = DailyLossLimit, MaxDrawdownPercent = 99m },
                });
                Assert.True(opened.Succeeded, opened.Message);
                run._venueOrders[id] = [];
            }

            await run.CheckAsync("open");
            return run;
        }

        public ValueTask DisposeAsync() => _cluster.DisposeAsync();

        public bool Covered(out string coverage)
        {
            coverage = $"seed {_seed}: " + string.Join(", ", _seen.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
            string[] needed = ["denied TRADING_HALTED", "denied REDUCE_ONLY_WOULD_INCREASE_POSITION", "reducing admitted", "daily-loss trip", "reset", "global halt", "global reset", "restart"];
            return needed.All(n => _seen.GetValueOrDefault(n) > 0);
        }

        private void Saw(string what) => _seen[what] = _seen.GetValueOrDefault(what) + 1;

        private TradingState Effective(string account) => (TradingState)Math.Max((int)_breakers[account].State, (int)_breakers[BreakerKeys.Global].State);

        public async Task StepAsync(int step)
        {
            _admitted.Clear();
            var account = Accounts[_random.Next(2)];
            var roll = _random.Next(100);
            var what = roll switch
            {
                < 26 => await PlaceAsync(account),
                < 33 => await CancelAsync(account),
                < 40 => await ReplaceAsync(account),
                < 50 => await MoveMarketAsync(),
                < 60 => await AdverseMoveAsync(account),
                < 68 => await TripAsync(account),
                < 78 => await ResetAsync(account),
                < 81 => await TripAsync(BreakerKeys.Global),
                < 86 => await ResetAsync(BreakerKeys.Global),
                < 90 => await CrossMidnightAsync(),
                < 94 => await RestartAsync(kill: _random.Next(2) == 0),
                _ => await TickAsync(),
            };
            _log.Add($"{step}: {what}");
            await CheckAsync(what);
        }

        private async Task<string> TickAsync()
        {
            _time.Advance(TimeSpan.FromSeconds(_random.Next(1, 20)));
            await QuoteAllAsync();
            return "tick";
        }

        private async Task<(decimal Position, List<AccountOrder> Working)> BookAsync(string account, string symbol)
        {
            var position = (await _cluster.Account(account).GetPositionsAsync()).FirstOrDefault(p => p.Symbol == symbol)?.Quantity ?? 0m;
            return (position, await WorkingAsync(account));
        }

        /// <summary>What an order on this side may close: the position less the open orders on the same side (docs/domain.md).</summary>
        private static decimal Closable(decimal position, IEnumerable<AccountOrder> working, string symbol, OrderSide side)
        {
            var pending = working.Where(o => o.Symbol == symbol && o.Side == side).Sum(o => o.Quantity - o.FilledQuantity);
            return side == OrderSide.Sell ? Math.Max(0m, position - pending) : Math.Max(0m, -position - pending);
        }

        private async Task<string> PlaceAsync(string account)
        {
            var symbol = Symbols[_random.Next(Symbols.Length)];
            var (position, working) = await BookAsync(account, symbol);
            var side = _random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;

            // Often an order against the position (all of it, part of it, or a little more), else a fresh one.
            var quantity = position != 0m && _random.Next(2) == 0
                ? Math.Max(1m, Math.Abs(position) + _random.Next(-Math.Min(20, (int)Math.Abs(position)), 4))
                : _random.Next(10, 120);
            if (position != 0m && _random.Next(2) == 0)
            {
                side = position > 0m ? OrderSide.Sell : OrderSide.Buy;
            }

            if (position != 0m && Effective(account) == TradingState.Reducing && _random.Next(3) != 0)
            {
                // Mostly a cut while reduce-only (part, all, or a little more than the position), so both outcomes are frequent.
                side = position > 0m ? OrderSide.Sell : OrderSide.Buy;
                quantity = _random.Next(1, (int)Math.Abs(position) + 4);
            }

            var mid = _mids[symbol];
            var sign = side == OrderSide.Buy ? 1m : -1m;
            var type = _random.Next(3) == 0 ? OrderType.Market : OrderType.Limit;

            // Limits at or through the touch (fill at once) or up to 3% behind it (rest, and fill when the market comes).
            var limit = Math.Round(mid * (1m + (sign * _random.Next(-30, 5) / 1_000m)), 2);
            var request = new OrderRequest
            {
                ClientOrderId = $"bf{_seed}-{++_orders}",
                Symbol = symbol,
                Side = side,
                Type = type,
                Quantity = quantity,
                LimitPrice = type == OrderType.Limit ? limit : null,
                TimeInForce = type == OrderType.Market ? TimeInForce.Day : TimeInForce.Gtc,
            };

            var state = Effective(account);
            var closable = Closable(position, working, symbol, side);
            var placed = await _cluster.Account(account).PlaceOrderAsync(new PlaceOrder { Request = request });
            var what = $"{account} place {request.ClientOrderId} {side} {quantity} {symbol} {type} lmt {request.LimitPrice} (pos {position}, closable {closable}, {state})";
            var outcome = placed.Denial is { } d ? $"denied {d.ReasonCode}" : $"{placed.Order!.Status}";
            var context = $"seed {_seed}: {what} -> {outcome}\n{History()}";
            switch (state)
            {
                case TradingState.Halted:
                    Assert.True(placed.Denial?.ReasonCode == RiskReasonCodes.TradingHalted, $"expected TRADING_HALTED: {context}");
                    break;
                case TradingState.Reducing when quantity > closable:
                    Assert.True(placed.Denial?.ReasonCode == RiskReasonCodes.ReduceOnlyWouldIncreasePosition, $"expected REDUCE_ONLY_WOULD_INCREASE_POSITION: {context}");
                    Assert.True(placed.Denial!.MaxQuantity == (closable > 0m ? closable : null), $"max quantity {placed.Denial.MaxQuantity}, closable {closable}: {context}");
                    break;
                default:
                    Assert.True(placed.Succeeded, $"expected admitted: {context}");
                    _admitted.Add(request.ClientOrderId);
                    if (state == TradingState.Reducing)
                    {
                        Saw("reducing admitted");
                    }

                    break;
            }

            if (placed.Denial is { } denial)
            {
                Saw($"denied {denial.ReasonCode}");
            }

            return $"{what} -> {outcome}";
        }

        private async Task<string> ReplaceAsync(string account)
        {
            var working = (await WorkingAsync(account)).Where(o => o.Type == OrderType.Limit).ToList();
            if (working.Count == 0)
            {
                return $"{account} replace (nothing working)";
            }

            var order = working[_random.Next(working.Count)];
            var (position, all) = await BookAsync(account, order.Symbol);
            var quantity = order.Quantity + _random.Next(-Math.Min(20, (int)order.Quantity - 1), 40);
            // A new limit behind today's touch: the old one may have drifted out of the price band as the market moved.
            var limit = Math.Round(_mids[order.Symbol] * (1m + ((order.Side == OrderSide.Buy ? -1m : 1m) * _random.Next(5, 30) / 1_000m)), 2);
            if (limit == order.LimitPrice)
            {
                limit += order.Side == OrderSide.Buy ? -0.01m : 0.01m;
            }
            var state = Effective(account);
            var closable = Closable(position, all.Where(o => o.OrderId != order.OrderId), order.Symbol, order.Side);
            var result = await _cluster.Account(account).ReplaceOrderAsync(new ReplaceOrder
            {
                OrderId = order.OrderId,
                Replacement = new OrderReplacement { Quantity = quantity, LimitPrice = limit },
            });
            var what = $"{account} replace {order.ClientOrderId} {order.Side} {order.Quantity} {order.Symbol} lmt {order.LimitPrice} -> {quantity} lmt {limit} (pos {position}, closable {closable}, {state})";
            var outcome = result.Denial is { } d ? $"denied {d.ReasonCode}" : $"{result.Order!.Status}";
            var context = $"seed {_seed}: {what} -> {outcome}\n{History()}";
            switch (state)
            {
                case TradingState.Halted:
                    Assert.True(result.Denial?.ReasonCode == RiskReasonCodes.TradingHalted, $"expected TRADING_HALTED: {context}");
                    break;
                case TradingState.Reducing when quantity > closable:
                    Assert.True(result.Denial?.ReasonCode == RiskReasonCodes.ReduceOnlyWouldIncreasePosition, $"expected REDUCE_ONLY_WOULD_INCREASE_POSITION: {context}");
                    break;
                default:
                    Assert.True(result.Succeeded, $"expected admitted: {context}");
                    _admitted.Add(result.Order!.ClientOrderId);
                    break;
            }

            Saw(result.Denial is { } denial ? $"replace denied {denial.ReasonCode}" : "replace admitted");
            return $"{what} -> {outcome}";
        }

        private async Task<string> CancelAsync(string account)
        {
            var working = await WorkingAsync(account);
            if (working.Count == 0)
            {
                return $"{account} cancel (nothing working)";
            }

            var order = working[_random.Next(working.Count)];
            var state = Effective(account);
            var result = await _cluster.Account(account).CancelOrderAsync(order.OrderId);
            var what = $"{account} cancel {order.ClientOrderId} ({state}) -> {result.Order?.Status} {result.Denial?.ReasonCode}";

            // A cancel goes through in every state.
            Assert.True(result.Succeeded && result.Order!.Status == OrderStatus.Canceled, $"seed {_seed}: {what}\n{History()}");
            Saw($"cancel {state}");
            return what;
        }

        private async Task<string> MoveMarketAsync()
        {
            var symbol = Symbols[_random.Next(Symbols.Length)];
            _mids[symbol] = Math.Round(_mids[symbol] * (1m + (_random.Next(-25, 26) / 1_000m)), 2);
            _time.Advance(TimeSpan.FromSeconds(1));
            await QuoteAsync(symbol);
            return $"quote {symbol} {_mids[symbol]}";
        }

        /// <summary>Moves a symbol against an account's position, by enough to breach its daily loss limit or come near it.</summary>
        private async Task<string> AdverseMoveAsync(string account)
        {
            var positions = (await _cluster.Account(account).GetPositionsAsync()).Where(p => p.Quantity != 0m).ToList();
            if (positions.Count == 0)
            {
                return await MoveMarketAsync();
            }

            var position = positions[_random.Next(positions.Count)];
            var mid = _mids[position.Symbol];
            // Within the market data's 10% band, which would refuse a larger jump.
            var move = Math.Min(mid * 0.08m, DailyLossLimit * (_random.Next(50, 160) / 100m) / Math.Abs(position.Quantity));
            _mids[position.Symbol] = Math.Max(5m, Math.Round(mid - (Math.Sign(position.Quantity) * move), 2));
            _time.Advance(TimeSpan.FromSeconds(1));
            await QuoteAsync(position.Symbol);
            return $"{account} adverse {position.Symbol} {mid} -> {_mids[position.Symbol]} (pos {position.Quantity})";
        }

        private async Task<string> TripAsync(string id)
        {
            var model = _breakers[id];
            var target = _random.Next(2) == 0 ? TradingState.Reducing : TradingState.Halted;
            var actor = _random.Next(2) == 0 ? Trader : RiskOfficer;
            var reason = $"trip {_log.Count + 1} by {actor.Name}";
            var result = await _cluster.Breaker(id).TripAsync(target, actor, reason);
            var what = $"trip {id} {model.State} -> {target} by {actor.Name}: {(result.Succeeded ? "done" : result.ErrorCode)}";
            if (target > model.State)
            {
                Assert.True(result.Succeeded, $"seed {_seed}: {what}\n{History()}");
                model.Add(target, BreakerTrigger.Manual, actor.Name, reason);
                Saw(id == BreakerKeys.Global ? (target == TradingState.Halted ? "global halt" : "global reducing") : $"trip {target}");
            }
            else
            {
                Assert.True(result.ErrorCode == BreakerErrorCodes.NotMoreSevere, $"seed {_seed}: expected NOT_MORE_SEVERE: {what}\n{History()}");
            }

            return what;
        }

        private async Task<string> ResetAsync(string id)
        {
            var model = _breakers[id];
            var actor = _random.Next(6) == 0 ? Trader : RiskOfficer;
            var force = _random.Next(3) == 0;
            var reason = $"reset {_log.Count + 1}";
            var holds = id != BreakerKeys.Global && _reportedDayPnl[id] <= -DailyLossLimit;
            var result = await _cluster.Breaker(id).ResetAsync(TradingState.Active, actor, reason, force);
            var what = $"reset {id} {model.State} by {actor.Name} force {force} (loss holds {holds}): {(result.Succeeded ? "done" : result.ErrorCode)}";
            var context = $"seed {_seed}: {what}\n{History()}";
            var expectedError =
                !actor.HasRiskRole ? BreakerErrorCodes.RiskRoleRequired
                : model.State == TradingState.Active ? BreakerErrorCodes.NotLessSevere
                : holds && !force ? BreakerErrorCodes.ConditionStillHolds
                : null;
            if (expectedError is null)
            {
                Assert.True(result.Succeeded, context);
                model.Add(TradingState.Active, BreakerTrigger.Reset, actor.Name, reason, forced: holds);
                model.DailyLossOverridden = holds;
                Saw(id == BreakerKeys.Global ? "global reset" : holds ? "forced reset" : "reset");
            }
            else
            {
                Assert.True(result.ErrorCode == expectedError, $"expected {expectedError}: {context}");
            }

            return what;
        }

        private async Task<string> CrossMidnightAsync()
        {
            var now = _time.GetUtcNow();
            var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            _time.Advance(midnight - now + TimeSpan.FromSeconds(5));
            await QuoteAllAsync();
            return $"midnight {midnight:yyyy-MM-dd}";
        }

        private async Task<string> RestartAsync(bool kill)
        {
            var ct = TestContext.Current.CancellationToken;
            if (kill)
            {
                await _cluster.Cluster.KillAndRestartSiloAsync(ct);
            }
            else
            {
                await _cluster.Cluster.RestartSiloAsync(ct);
            }

            await QuoteAllAsync();
            Saw("restart");
            return kill ? "kill and restart" : "restart";
        }

        private async Task QuoteAllAsync()
        {
            foreach (var symbol in Symbols)
            {
                await QuoteAsync(symbol);
            }
        }

        private async Task QuoteAsync(string symbol)
        {
            // A quote stamped like the symbol's last one is taken for a repeat; a print at the mid keeps the marks and the price band there.
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Market.TradeAsync(_cluster, symbol, _mids[symbol], 1m);
            await Market.QuoteAsync(_cluster, symbol, _mids[symbol] - 0.01m, _mids[symbol] + 0.01m);
        }

        private async Task<List<AccountOrder>> WorkingAsync(string account) =>
            [.. (await _cluster.Account(account).GetOrdersAsync(OrderStatusFilter.Open, 1_000, null)).OrderBy(o => o.OrderId, StringComparer.Ordinal)];

        /// <summary>Waits until no order is in flight and the account's working orders are the venue's.</summary>
        private async Task WaitQuietAsync(string account, string what)
        {
            var venue = _cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient(account);
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(20);
            var polls = 0;
            while (true)
            {
                var working = await WorkingAsync(account);
                var open = await venue.ListOpenOrdersAsync(TestContext.Current.CancellationToken);
                var settled = working.All(o => !o.InFlight && o.Status is OrderStatus.Accepted or OrderStatus.PartiallyFilled);
                var same = working.Select(o => o.BrokerOrderId).Order(StringComparer.Ordinal)
                    .SequenceEqual(open.Select(o => o.OrderId).Order(StringComparer.Ordinal));
                if (settled && same)
                {
                    return;
                }

                Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"seed {_seed}: {account} not quiet after {what}\n{History()}");

                // Deliveries waiting on the clock (stream polls, retries) move only when it does.
                if (++polls % 5 == 0)
                {
                    _time.Advance(TimeSpan.FromMilliseconds(200));
                }

                await Task.Delay(10, TestContext.Current.CancellationToken);
            }
        }

        private async Task CheckAsync(string what)
        {
            var ct = TestContext.Current.CancellationToken;
            foreach (var account in Accounts)
            {
                await WaitQuietAsync(account, what);
                var context = $"seed {_seed} after {what}: {account}";

                // The venue got no order the model did not admit in this step (none at all while HALTED).
                var venue = _cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient(account);
                var atVenue = (await venue.ListOpenOrdersAsync(ct)).Select(o => o.ClientOrderId)
                    .Concat((await venue.GetExecutionsSinceAsync(_start, ct)).Select(e => e.ClientOrderId)).ToHashSet(StringComparer.Ordinal);
                var unexpected = atVenue.Except(_venueOrders[account]).Where(c => !_admitted.Contains(c)).ToList();
                Assert.True(unexpected.Count == 0, $"{context}: the venue got [{string.Join(", ", unexpected)}] in state {Effective(account)}\n{History()}");
                _venueOrders[account].UnionWith(atVenue);

                // The account reports its day P&L; the breaker judges it: a loss at the limit trips REDUCING unless overridden.
                var snapshot = (await _cluster.Account(account).RefreshAsync())!;
                var model = _breakers[account];
                var holds = snapshot.DayPnl <= -DailyLossLimit;
                _reportedDayPnl[account] = snapshot.DayPnl;
                if (!holds)
                {
                    model.DailyLossOverridden = false;
                }
                else if (!model.DailyLossOverridden && model.State == TradingState.Active)
                {
                    model.Add(TradingState.Reducing, BreakerTrigger.DailyLoss, BreakerActor.System.Name, "Day P&L");
                    Saw("daily-loss trip");
                }

                await AssertBreakerAsync(account, context);
                snapshot = (await _cluster.Account(account).GetSnapshotAsync())!;
                Assert.True(snapshot.AccountBreakerState == model.State && snapshot.GlobalBreakerState == _breakers[BreakerKeys.Global].State
                    && snapshot.TradingState == Effective(account),
                    $"{context}: account sees own {snapshot.AccountBreakerState}, global {snapshot.GlobalBreakerState}, effective {snapshot.TradingState}; " +
                    $"model {model.State}, {_breakers[BreakerKeys.Global].State}, {Effective(account)} (day P&L {snapshot.DayPnl})\n{History()}");
            }

            await AssertBreakerAsync(BreakerKeys.Global, $"seed {_seed} after {what}: global");
        }

        private async Task AssertBreakerAsync(string id, string context)
        {
            var model = _breakers[id];
            var state = await _cluster.Breaker(id).GetStateAsync();
            var audit = (await _cluster.Breaker(id).GetAuditAsync(1_000)).Reverse().ToList();
            var expected = string.Join("\n", model.Audit.Select(Describe));
            var actual = string.Join("\n", audit.Select(a => Describe(a.Transition)));
            Assert.True(state.State == model.State, $"{context}: breaker {state.State}, model {model.State}\naudit:\n{actual}\n{History()}");

            // Each transition audited exactly once, in order, with its actor and reason, and versions without gaps.
            Assert.True(expected == actual, $"{context}: audit differs\nexpected:\n{expected}\nactual:\n{actual}\n{History()}");
            for (var i = 1; i < audit.Count; i++)
            {
                Assert.True(audit[i].Version == audit[i - 1].Version + 1, $"{context}: audit versions {audit[i - 1].Version} then {audit[i].Version}");
            }

            Assert.True(audit.Count == 0 || state.Version == audit[^1].Version, $"{context}: version {state.Version}, last audited {audit.LastOrDefault()?.Version}");
        }

        /// <summary>A transition as the model knows it: a system trip's reason is the condition's message, checked by its start.</summary>
        private static string Describe(BreakerTransition t)
        {
            var reason = t.Trigger == BreakerTrigger.DailyLoss && t.Reason.StartsWith("Day P&L", StringComparison.Ordinal) ? "Day P&L" : t.Reason;
            return $"{t.From} -> {t.To} {t.Trigger} by {t.Actor}: {reason}{(t.Forced ? " (forced)" : "")}";
        }

        private string History() => $"steps (seed {_seed}):\n{string.Join("\n", _log.TakeLast(20))}";
    }
}
