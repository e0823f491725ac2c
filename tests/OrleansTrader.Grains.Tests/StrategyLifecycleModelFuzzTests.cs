using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A seeded random walk over the lifecycle of a handful of strategies in two accounts, on SQLite storage and a fake clock:
/// create (started or not, valid and invalid), start, stop, parameter changes (valid and invalid), delete, re-create under
/// the same id, silo restarts and kills, account breaker trips to REDUCING and HALTED and resets, bars that make the
/// strategies trade, quotes and day rolls. After every step the strategies are checked against an independent model built
/// from the commands acknowledged and the account's own orders and fills (docs/strategies.md, docs/grains.md "Strategies"):
/// a strategy exists, runs and has the parameters last acknowledged, across restarts and kills; a stopped, deleted or
/// never-created strategy sends nothing, and none sends outside a bar; a running one trades on a bar when its account is
/// ACTIVE, sends nothing while HALTED and only what reduces its own position while REDUCING; its positions, P&amp;L, trades
/// and performance agree with the fills of its own orders (this incarnation's only), stopped or not: some strategies rest
/// limits that quote moves fill, often while they are stopped, and a stopped one's status is read with those fills at times
/// left unbooked across later steps. A stopped strategy is told of no fill; once running it has been told of each fill of
/// its orders exactly once (at least once after a kill) and of the end of each limit that filled. A failure names the seed and step.
/// </summary>
public sealed class StrategyLifecycleModelFuzzTests : IDisposable
{
    private static readonly string[] Symbols = ["SLA", "SLB"];
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(26)]
    public async Task RandomLifecycleSteps_KeepEveryStrategyEqualToTheModel(int seed)
    {
        await using var run = await FuzzRun.StartAsync(_dir.File($"strategy-fuzz-{seed}.db"), seed);
        for (var step = 1; step <= 600; step++)
        {
            await run.StepAsync(step);
        }

        var covered = run.Covered(out var coverage);
        TestContext.Current.TestOutputHelper?.WriteLine(coverage);
        Assert.True(covered, coverage);
    }

    /// <summary>
    /// Trades its one symbol toward a target position, one order at a time of at most <c>step</c> shares, on each bar while it
    /// has no open order: a market order, or with <c>rest</c> (per mille) a Gtc limit that far from the bar's close, which
    /// rests until a quote moves through it (so its fill may come while the strategy is stopped). What it asks for on a bar
    /// follows from its own position and open order alone, so the model can tell. It records what it is told (OnFill,
    /// final order updates) under its <c>account</c> parameter and id: a strategy does not know its account.
    /// </summary>
    internal sealed class TargetTrader(string account, decimal target, int step, decimal rest) : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "lifecycle-target",
            ParameterNames = ["account", "target", "step", "rest"],
            StateType = typeof(TargetTraderState),
            Create = setup =>
            {
                var account = setup.RequiredString("account");
                var target = setup.RequiredDecimal("target");
                var step = setup.Int("step", 1);
                var rest = setup.Decimal("rest", 0m);
                if (target != decimal.Truncate(target) || Math.Abs(target) > 50m)
                {
                    setup.Invalid("target", "must be a whole number from -50 to 50");
                }

                if (step < 1)
                {
                    setup.Invalid("step", "must be at least 1");
                }

                if (rest != decimal.Truncate(rest) || rest < 0m || rest > 50m)
                {
                    setup.Invalid("rest", "must be a whole number of per mille from 0 to 50");
                }

                return new TargetTrader(account, target, step, rest);
            },
        };

        /// <summary>The execution ids each strategy ("account/strategyId") was given through OnFill, in the order given.</summary>
        public static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Told = new(StringComparer.Ordinal);

        /// <summary>The client order ids each strategy was told had ended (a final OnOrderUpdate).</summary>
        public static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> Ended = new(StringComparer.Ordinal);

        private long _bars;

        public override string Kind => Definition.Kind;

        private string Key => $"{account}/{Context.StrategyId}";

        public override void OnBar(Bar bar)
        {
            _bars++;
            var context = Context;
            var held = context.GetPosition(bar.Symbol).Quantity;
            if (held == target || context.HasOpenOrder(bar.Symbol))
            {
                return;
            }

            var side = target > held ? OrderSide.Buy : OrderSide.Sell;
            var quantity = Math.Min(step, Math.Abs(target - held));
            var reason = $"toward {target} from {held}";
            context.SubmitOrder(rest == 0m
                ? new OrderIntentRequest { Symbol = bar.Symbol, Side = side, Quantity = quantity, Reason = reason }
                : new OrderIntentRequest
                {
                    Symbol = bar.Symbol,
                    Side = side,
                    Quantity = quantity,
                    Type = OrderType.Limit,
                    LimitPrice = Math.Round(bar.Close * (1m + ((side == OrderSide.Buy ? -rest : rest) / 1_000m)), 2),
                    TimeInForce = TimeInForce.Gtc,
                    Reason = reason,
                });
        }

        public override void OnFill(Execution execution) =>
            Told.GetOrAdd(Key, _ => new ConcurrentQueue<string>()).Enqueue(execution.ExecutionId);

        public override void OnOrderUpdate(StrategyOrderUpdate update)
        {
            if (update.Status.IsFinal())
            {
                Ended.GetOrAdd(Key, _ => new ConcurrentDictionary<string, bool>(StringComparer.Ordinal))[update.ClientOrderId] = true;
            }
        }

        public override StrategyState GetState() => new TargetTraderState { Bars = _bars };

        public override void Restore(StrategyState state) => _bars = ((TargetTraderState)state).Bars;
    }

    internal sealed record TargetTraderState : StrategyState
    {
        public long Bars { get; init; }
    }

    /// <summary>One strategy slot: an account, a strategy id and the symbol it trades.</summary>
    private sealed record Slot(string Account, string StrategyId, string Symbol)
    {
        public override string ToString() => $"{Account}/{StrategyId}";
    }

    /// <summary>What the model holds of one strategy: what its last acknowledged commands made it.</summary>
    private sealed class ModelStrategy
    {
        public bool Exists { get; set; }

        public bool Running { get; set; }

        /// <summary>True once created: a create after a delete is a re-create under the same id.</summary>
        public bool Created { get; set; }

        public Dictionary<string, string> Parameters { get; set; } = new(StringComparer.Ordinal);

        /// <summary>Client order ids of its earlier incarnations' orders: not this one's (docs/grains.md, the tombstone).</summary>
        public HashSet<string> Earlier { get; } = new(StringComparer.Ordinal);

        /// <summary>The breaker versions it read when it last started: it knows the trading state while they are current.</summary>
        public (long Account, long Global)? KnownVersions { get; set; }

        public decimal Target => decimal.Parse(Parameters["target"], CultureInfo.InvariantCulture);

        public int Step => Parameters.TryGetValue("step", out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : 1;

        /// <summary>Its orders rest as limits (and may fill while it is stopped).</summary>
        public bool Rests => Parameters.TryGetValue("rest", out var r) && r != "0";

        /// <summary>
        /// A kill since its creation: what it was told after its last save it is told again (at least once, not exactly once).
        /// </summary>
        public bool Killed { get; set; }

        /// <summary>The fills of its own orders it was last checked against.</summary>
        public int FillsSeen { get; set; }

        /// <summary>Execution ids of its orders' fills made while it was stopped, not yet seen told.</summary>
        public HashSet<string> FilledWhileStopped { get; } = new(StringComparer.Ordinal);
    }

    private sealed class FuzzRun : IAsyncDisposable
    {
        private readonly Random _random;
        private readonly FakeTimeProvider _time;
        private readonly TradingCluster _cluster;
        private readonly int _seed;
        private readonly Dictionary<string, decimal> _mids = new(StringComparer.Ordinal);
        private readonly Dictionary<string, DateTimeOffset> _lastBar = new(StringComparer.Ordinal);
        private readonly Dictionary<Slot, ModelStrategy> _model = [];
        private readonly Dictionary<string, HashSet<string>> _knownOrders = new(StringComparer.Ordinal);
        private readonly List<Slot> _slots;
        private readonly List<string> _log = [];
        private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);

        private FuzzRun(TradingCluster cluster, FakeTimeProvider time, int seed)
        {
            _cluster = cluster;
            _time = time;
            _seed = seed;
            _random = new Random(seed);
            var (a, b) = ($"sl{seed}a", $"sl{seed}b");
            _slots = [new(a, "t1", "SLA"), new(a, "t2", "SLA"), new(a, "t3", "SLB"), new(b, "t1", "SLA"), new(b, "t2", "SLB")];
            foreach (var slot in _slots)
            {
                _model[slot] = new ModelStrategy();
            }
        }

        private IEnumerable<string> Accounts => _slots.Select(s => s.Account).Distinct(StringComparer.Ordinal);

        public static async Task<FuzzRun> StartAsync(string path, int seed)
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
            var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
            {
                SqlitePath = path,
                Time = time,
                ConfigureSilo = silo =>
                {
                    silo.Services.AddStrategy(TargetTrader.Definition);
                    silo.ForFakeClockWalks();
                },
            });
            var run = new FuzzRun(cluster, time, seed);
            run._mids["SLA"] = 50m;
            run._mids["SLB"] = 80m;
            await run.QuoteAllAsync();
            foreach (var id in run.Accounts)
            {
                var opened = await cluster.Account(id).OpenAsync(new OpenAccount
                {
                    Cash = 1_000_000m,
                    AccountType = AccountType.Margin,
                    RiskLimits = TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(2) },

                    // Only the test's own trips and resets move the breakers.
                    BreakerPolicy = BreakerPolicy.Default with { DailyLossLimit = 100_000_000m, MaxDrawdownPercent = 100m, StaleDataMaxAge = TimeSpan.FromDays(30) },
                });
                Assert.True(opened.Succeeded, opened.Message);
                run._knownOrders[id] = new HashSet<string>(StringComparer.Ordinal);
            }

            await run.CheckAsync("open", null, [], [], []);
            return run;
        }

        public ValueTask DisposeAsync() => _cluster.DisposeAsync();

        public bool Covered(out string coverage)
        {
            coverage = $"seed {_seed}: " + string.Join(", ", _seen.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
            string[] needed = ["create", "re-create", "stop", "delete", "params", "params invalid", "restart", "kill", "manual", "traded ACTIVE", "withheld HALTED", "reducing sent", "midnight",
                "filled while stopped", "told after stop"];
            return needed.All(n => _seen.GetValueOrDefault(n) > 0);
        }

        private void Saw(string what) => _seen[what] = _seen.GetValueOrDefault(what) + 1;

        private IStrategyGrain Grain(Slot slot) => _cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create(slot.Account, slot.StrategyId));

        public async Task StepAsync(int step)
        {
            var slot = _slots[_random.Next(_slots.Count)];
            var runningBefore = _slots.Where(s => _model[s].Running).ToHashSet();
            var roll = _random.Next(100);
            string what;
            string? barSymbol = null;
            Dictionary<Slot, decimal> positionsBefore = [];
            Dictionary<Slot, long> barsBefore = [];
            HashSet<Slot> workingBefore = [];
            if (roll < 36)
            {
                barSymbol = Symbols[_random.Next(Symbols.Length)];
                foreach (var s in _slots.Where(s => _model[s].Exists))
                {
                    positionsBefore[s] = await OwnPositionAsync(s);
                    barsBefore[s] = (await Grain(s).GetStatusAsync())!.BarsSeen;
                    if ((await OwnOrdersAsync(s)).Exists(o => !o.Status.IsFinal()))
                    {
                        workingBefore.Add(s);
                    }
                }

                // The accounts' positions in the symbol, under a slot without a strategy id.
                foreach (var account in Accounts)
                {
                    positionsBefore[new Slot(account, string.Empty, barSymbol)] = (await AllFillsAsync(account))
                        .Where(f => f.Symbol == barSymbol).Sum(f => f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity);
                }

                what = await BarAsync(barSymbol);
            }
            else
            {
                what = roll switch
                {
                    < 48 => await CreateAsync(slot),
                    < 54 => await StartAsync(Mostly(slot, s => _model[s].Exists && !_model[s].Running)),
                    < 60 => await StopAsync(Mostly(slot, s => _model[s].Running)),
                    < 68 => await UpdateParametersAsync(slot),
                    < 73 => await DeleteAsync(slot),
                    < 77 => await TripAsync(slot.Account),
                    < 82 => await ResetAsync(slot.Account),
                    < 85 => await CrossMidnightAsync(),
                    < 89 => await RestartAsync(kill: _random.Next(2) == 0),
                    < 92 => await ManualOrderAsync(slot),
                    _ => await MoveMarketAsync(),
                };
            }

            _log.Add($"{step}: {what}");
            try
            {
                await CheckAsync(what, barSymbol, positionsBefore, barsBefore, runningBefore, workingBefore);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"seed {_seed} after {what}: {ex.Message}\n{History()}", ex);
            }
        }

        /// <summary>Two times in three a slot that <paramref name="fits"/> (stops of running strategies, starts of stopped ones), if any.</summary>
        private Slot Mostly(Slot slot, Func<Slot, bool> fits)
        {
            var fitting = _slots.Where(fits).ToList();
            return fitting.Count > 0 && _random.Next(3) != 0 ? fitting[_random.Next(fitting.Count)] : slot;
        }

        private Dictionary<string, string> RandomParameters(Slot slot, bool valid, bool closing = false)
        {
            // While the account is REDUCING mostly a flat target: what a user asks of a strategy to close its position.
            var target = (closing && _random.Next(3) != 0 ? 0 : _random.Next(-8, 9)).ToString(CultureInfo.InvariantCulture);
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal) { ["account"] = slot.Account, ["target"] = target };
            if (_random.Next(2) == 0)
            {
                parameters["step"] = _random.Next(1, 12).ToString(CultureInfo.InvariantCulture);
            }

            if (!closing && _random.Next(2) == 0)
            {
                // Limits 0.1% to 0.8% off the close: a quote move (up to 2%) often fills them, running or stopped. A user
                // closing a position while the account is REDUCING does so at market.
                parameters["rest"] = _random.Next(1, 9).ToString(CultureInfo.InvariantCulture);
            }

            if (!valid)
            {
                switch (_random.Next(5))
                {
                    case 0: parameters.Remove("target"); break;
                    case 1: parameters["step"] = "0"; break;
                    case 2: parameters["target"] = "2.5"; break;
                    case 3: parameters["rest"] = "-1"; break;
                    default: parameters["colour"] = "red"; break;
                }
            }

            return parameters;
        }

        private async Task<string> CreateAsync(Slot slot)
        {
            var model = _model[slot];
            var valid = _random.Next(5) != 0;
            var parameters = RandomParameters(slot, valid);
            var start = _random.Next(3) != 0;
            var earlier = await OrdersOfAsync(slot);
            if (!model.Exists)
            {
                // What an earlier incarnation was told is not this one's.
                TargetTrader.Told.TryRemove(KeyOf(slot), out _);
                TargetTrader.Ended.TryRemove(KeyOf(slot), out _);
            }

            var result = await Grain(slot).CreateAsync(new CreateStrategy { Kind = TargetTrader.Definition.Kind, Symbols = [slot.Symbol], Parameters = parameters, Start = start });
            var what = $"create {slot} {Describe(parameters)} start {start} (exists {model.Exists}) -> {(result.Succeeded ? "ok" : result.ErrorCode)}";
            var context = $"seed {_seed}: {what}\n{History()}";
            if (model.Exists)
            {
                Assert.True(result.ErrorCode == StrategyErrorCodes.AlreadyExists, $"expected STRATEGY_ALREADY_EXISTS: {context}");
            }
            else if (!valid)
            {
                Assert.True(result.ErrorCode == StrategyErrorCodes.InvalidParameters, $"expected STRATEGY_PARAMETERS_INVALID: {context}");
                Saw("create invalid");
            }
            else
            {
                Assert.True(result.Succeeded, context);
                Saw(model.Created ? "re-create" : "create");
                model.Created = true;
                model.Exists = true;
                model.Running = start;
                model.Parameters = parameters;
                model.Earlier.UnionWith(earlier.Select(o => o.ClientOrderId));
                model.Killed = false;
                model.FillsSeen = 0;
                model.FilledWhileStopped.Clear();
                model.KnownVersions = start ? await VersionsAsync(slot.Account) : null;
            }

            return what;
        }

        private async Task<string> StartAsync(Slot slot)
        {
            var model = _model[slot];
            var result = await Grain(slot).StartAsync();
            var what = $"start {slot} (exists {model.Exists}, running {model.Running}) -> {(result.Succeeded ? "ok" : result.ErrorCode)}";
            AssertCommand(model, result, what);
            if (model.Exists && !model.Running)
            {
                model.KnownVersions = await VersionsAsync(slot.Account);
                Saw("start");
            }

            model.Running = model.Exists;
            return what;
        }

        private async Task<string> StopAsync(Slot slot)
        {
            var model = _model[slot];
            var result = await Grain(slot).StopAsync();
            var what = $"stop {slot} (exists {model.Exists}, running {model.Running}) -> {(result.Succeeded ? "ok" : result.ErrorCode)}";
            AssertCommand(model, result, what);
            if (model.Running)
            {
                Saw("stop");
            }

            model.Running = false;
            return what;
        }

        private async Task<string> UpdateParametersAsync(Slot slot)
        {
            var model = _model[slot];
            var valid = _random.Next(3) != 0;
            var parameters = RandomParameters(slot, valid, closing: await EffectiveAsync(slot.Account) == TradingState.Reducing);
            var result = await Grain(slot).UpdateParametersAsync(parameters);
            var what = $"params {slot} {Describe(parameters)} (exists {model.Exists}, running {model.Running}) -> {(result.Succeeded ? "ok" : result.ErrorCode)}";
            var context = $"seed {_seed}: {what}\n{History()}";
            if (!model.Exists)
            {
                Assert.True(result.ErrorCode == StrategyErrorCodes.NotFound, $"expected STRATEGY_NOT_FOUND: {context}");
            }
            else if (!valid)
            {
                // Refused, and nothing changes: parameters, running state (checked with the rest after the step).
                Assert.True(result.ErrorCode == StrategyErrorCodes.InvalidParameters, $"expected STRATEGY_PARAMETERS_INVALID: {context}");
                Saw("params invalid");
            }
            else
            {
                Assert.True(result.Succeeded, context);
                model.Parameters = parameters;
                if (model.Running)
                {
                    // A running strategy restarts with them, reading the breakers again.
                    model.KnownVersions = await VersionsAsync(slot.Account);
                }

                Saw("params");
            }

            return what;
        }

        private async Task<string> DeleteAsync(Slot slot)
        {
            var model = _model[slot];
            var result = await Grain(slot).DeleteAsync();
            var what = $"delete {slot} (exists {model.Exists}) -> {(result.Succeeded ? "ok" : result.ErrorCode)}";
            AssertCommand(model, result, what);
            if (model.Exists)
            {
                Saw("delete");
            }

            model.Exists = false;
            model.Running = false;
            model.KnownVersions = null;
            return what;
        }

        private void AssertCommand(ModelStrategy model, StrategyCommandResult result, string what)
        {
            var context = $"seed {_seed}: {what}\n{History()}";
            if (model.Exists)
            {
                Assert.True(result.Succeeded, context);
            }
            else
            {
                Assert.True(result.ErrorCode == StrategyErrorCodes.NotFound, $"expected STRATEGY_NOT_FOUND: {context}");
            }
        }

        private async Task<string> TripAsync(string account)
        {
            var target = _random.Next(3) != 0 ? TradingState.Reducing : TradingState.Halted;
            var result = await _cluster.Breaker(account).TripAsync(target, RiskOfficer, $"fuzz trip {_log.Count + 1}");
            if (_random.Next(2) == 0)
            {
                // The account records the change as an event at its next write: now, or at a later one.
                await _cluster.Account(account).RefreshAsync();
            }

            return $"trip {account} {target} -> {(result.Succeeded ? "ok" : result.ErrorCode)}";
        }

        private async Task<string> ResetAsync(string account)
        {
            var result = await _cluster.Breaker(account).ResetAsync(TradingState.Active, RiskOfficer, $"fuzz reset {_log.Count + 1}", force: true);
            if (_random.Next(2) == 0)
            {
                await _cluster.Account(account).RefreshAsync();
            }

            return $"reset {account} -> {(result.Succeeded ? "ok" : result.ErrorCode)}";
        }

        private async Task<string> BarAsync(string symbol)
        {
            // One minute bar a step, each a minute after the symbol's last, ending before the clock.
            var start = _lastBar.TryGetValue(symbol, out var last) ? last.AddMinutes(1) : StartOfMinute(_time.GetUtcNow()).AddMinutes(-1);
            if (start.AddMinutes(1) > _time.GetUtcNow())
            {
                _time.Advance(start.AddMinutes(1) - _time.GetUtcNow() + TimeSpan.FromSeconds(1));
            }

            _lastBar[symbol] = start;
            var close = _mids[symbol];
            var bar = new Bar(symbol, start, TimeSpan.FromMinutes(1), close, close, close, close, 1_000m);
            await QuoteAsync(symbol);

            // The ingest only queues the bar on the memory stream, whose delivery takes the subscribers it finds when it gets to
            // the bar (docs/runtime.md, memory streams): a strategy started in a later step, before that, would take this bar
            // too. A subscription of the test's own, made before the bar is published, gets it once its delivery has taken
            // its subscribers: from then on the bar reaches only the strategies running in this step.
            var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var probe = await _cluster.Cluster.Client.GetStreamProvider(StreamNames.MemoryProvider).GetStream<Bar>(StreamId.Create(StreamNames.Bars, symbol))
                .SubscribeAsync((b, _) =>
                {
                    if (b.Start == start)
                    {
                        delivered.TrySetResult();
                    }

                    return Task.CompletedTask;
                });
            try
            {
                var ingested = await _cluster.Symbol(symbol).IngestAsync(new TickBatch { Bars = [bar] });
                Assert.True(ingested.Accepted == 1, $"seed {_seed}: bar {symbol} {start:O} not accepted\n{History()}");
                await Eventually.WaitAsync(() => Task.FromResult(delivered.Task.IsCompleted), done => done,
                    $"seed {_seed}: bar {symbol} {start:O} delivered on its stream\n{History()}");
            }
            finally
            {
                await probe.UnsubscribeAsync();
            }

            return $"bar {symbol} {start:HH:mm} close {close}";
        }

        /// <summary>
        /// An order placed through the API under a client order id of the strategy's form, often the one it names next: it is
        /// not the strategy's (docs/strategies.md), and a strategy whose next intent meets it sends that again under the next id.
        /// </summary>
        private async Task<string> ManualOrderAsync(Slot slot)
        {
            var named = (await OrdersOfAsync(slot)).Select(o => SequenceOf(o.ClientOrderId)).DefaultIfEmpty(0L).Max();
            var clientOrderId = $"{slot.StrategyId}-{named + _random.Next(1, 3)}";
            var side = _random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
            var quantity = _random.Next(1, 4);
            var placed = await _cluster.Account(slot.Account).PlaceOrderAsync(Market.MarketOrder(clientOrderId, slot.Symbol, side, quantity));
            Saw("manual");
            return $"manual {slot.Account} {clientOrderId} {side} {quantity} {slot.Symbol} -> {(placed.Denial is { } d ? d.ReasonCode : placed.Order!.Status)}";
        }

        private async Task<string> MoveMarketAsync()
        {
            // Mostly just through a resting limit of a strategy's, a stopped one's first (its fill is booked while it is
            // stopped), else at random.
            var resting = new List<AccountOrder>();
            var stopped = new List<AccountOrder>();
            foreach (var account in Accounts)
            {
                resting.AddRange((await AllOrdersAsync(account)).Where(o => o.Origin?.StartsWith("strategy:", StringComparison.Ordinal) == true && Resting(o)));
            }

            foreach (var slot in _slots.Where(s => _model[s].Exists && !_model[s].Running))
            {
                stopped.AddRange((await OwnOrdersAsync(slot)).Where(Resting));
            }

            if (stopped.Count > 0 && _random.Next(3) != 0)
            {
                resting = stopped;
            }

            if (resting.Count > 0 && _random.Next(3) != 0)
            {
                var order = resting[_random.Next(resting.Count)];
                _mids[order.Symbol] = order.Side == OrderSide.Buy ? order.LimitPrice!.Value - 0.02m : order.LimitPrice!.Value + 0.02m;
                _time.Advance(TimeSpan.FromSeconds(_random.Next(1, 20)));
                await QuoteAsync(order.Symbol);
                return $"quote {order.Symbol} {_mids[order.Symbol]} through {order.ClientOrderId} {order.Side} {order.LimitPrice}";
            }

            var symbol = Symbols[_random.Next(Symbols.Length)];
            _mids[symbol] = Math.Round(_mids[symbol] * (1m + (_random.Next(-20, 21) / 1_000m)), 2);
            _time.Advance(TimeSpan.FromSeconds(_random.Next(1, 20)));
            await QuoteAsync(symbol);
            return $"quote {symbol} {_mids[symbol]}";
        }

        private async Task<string> CrossMidnightAsync()
        {
            var now = _time.GetUtcNow();
            var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            _time.Advance(midnight - now - TimeSpan.FromSeconds(10));
            await QuoteAllAsync();
            _time.Advance(TimeSpan.FromSeconds(15));
            await QuoteAllAsync();
            Saw("midnight");
            return $"midnight {midnight:yyyy-MM-dd}";
        }

        private async Task<string> RestartAsync(bool kill)
        {
            var ct = TestContext.Current.CancellationToken;
            if (kill)
            {
                foreach (var slot in _slots.Where(s => _model[s].Exists))
                {
                    _model[slot].Killed = true;
                }

                await _cluster.Cluster.KillAndRestartSiloAsync(ct);
            }
            else
            {
                await _cluster.Cluster.RestartSiloAsync(ct);
            }

            // Every running strategy is activated again and reads the breakers as it starts.
            foreach (var slot in _slots.Where(s => _model[s].Running))
            {
                await Grain(slot).GetStatusAsync();
                _model[slot].KnownVersions = await VersionsAsync(slot.Account);
            }

            await QuoteAllAsync();
            Saw(kill ? "kill" : "restart");
            return kill ? "kill and restart" : "restart";
        }

        private async Task<(long Account, long Global)> VersionsAsync(string account) =>
            ((await _cluster.Breaker(account).GetStateAsync()).Version, (await _cluster.Breaker(BreakerKeys.Global).GetStateAsync()).Version);

        private async Task<TradingState> EffectiveAsync(string account) =>
            (TradingState)Math.Max((int)(await _cluster.Breaker(account).GetStateAsync()).State, (int)(await _cluster.Breaker(BreakerKeys.Global).GetStateAsync()).State);

        private async Task QuoteAllAsync()
        {
            foreach (var symbol in Symbols)
            {
                await QuoteAsync(symbol);
            }
        }

        private async Task QuoteAsync(string symbol)
        {
            // A quote stamped like the symbol's last one is taken for a repeat. No trades: they would build bars of their own.
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Market.QuoteAsync(_cluster, symbol, _mids[symbol] - 0.01m, _mids[symbol] + 0.01m);
        }

        private async Task<List<AccountOrder>> AllOrdersAsync(string account)
        {
            var orders = new List<AccountOrder>();
            string? after = null;
            while (true)
            {
                var page = await _cluster.Account(account).GetOrdersAsync(OrderStatusFilter.All, 500, after);
                orders.AddRange(page);
                if (page.Count < 500)
                {
                    return orders;
                }

                after = page[^1].OrderId;
            }
        }

        private async Task<List<AccountFill>> AllFillsAsync(string account)
        {
            var fills = new List<AccountFill>();
            long after = 0;
            while (true)
            {
                var page = await _cluster.Account(account).GetFillsAsync(after, 500);
                fills.AddRange(page);
                if (page.Count < 500)
                {
                    return fills;
                }

                after = page[^1].Sequence;
            }
        }

        /// <summary>The orders the strategy under this slot's id placed, any incarnation (placed with its origin).</summary>
        private async Task<List<AccountOrder>> OrdersOfAsync(Slot slot) =>
            [.. (await AllOrdersAsync(slot.Account)).Where(o => o.Origin == "strategy:" + slot.StrategyId)];

        /// <summary>The orders of this incarnation.</summary>
        private async Task<List<AccountOrder>> OwnOrdersAsync(Slot slot)
        {
            var earlier = _model[slot].Earlier;
            return [.. (await OrdersOfAsync(slot)).Where(o => !earlier.Contains(o.ClientOrderId))];
        }

        private static string KeyOf(Slot slot) => $"{slot.Account}/{slot.StrategyId}";

        /// <summary>The fills of this incarnation's own orders, in the account's order.</summary>
        private async Task<List<AccountFill>> OwnFillsAsync(Slot slot)
        {
            var earlier = _model[slot].Earlier;
            return [.. (await AllFillsAsync(slot.Account)).Where(f => f.Origin == "strategy:" + slot.StrategyId && !earlier.Contains(f.ClientOrderId))];
        }

        private async Task<decimal> OwnPositionAsync(Slot slot) =>
            (await OwnFillsAsync(slot)).Sum(f => f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity);

        /// <summary>Waits until no order of the account is working or in flight.</summary>
        private async Task WaitQuietAsync(string account, string what)
        {
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(30);
            var polls = 0;
            while (true)
            {
                var working = (await _cluster.Account(account).GetOrdersAsync(OrderStatusFilter.Open, 500, null)).Where(o => !Resting(o)).ToList();
                if (working.Count == 0)
                {
                    return;
                }

                Assert.True(TimeProvider.System.GetUtcNow() < deadline,
                    $"seed {_seed}: {account} not quiet after {what}: {string.Join(", ", working.Select(o => $"{o.ClientOrderId} {o.Status}"))}\n{History()}");
                if (++polls % 5 == 0)
                {
                    _time.Advance(TimeSpan.FromMilliseconds(200));
                }

                await Task.Delay(10, TestContext.Current.CancellationToken);
            }
        }

        /// <summary>A limit order the venue took that the symbol's quote does not reach: it works on, unfilled, until a quote moves.</summary>
        private bool Resting(AccountOrder order) =>
            order is { Status: OrderStatus.Accepted or OrderStatus.PartiallyFilled, Type: OrderType.Limit, LimitPrice: { } limit }
            && (order.Side == OrderSide.Buy ? limit < _mids[order.Symbol] + 0.01m : limit > _mids[order.Symbol] - 0.01m);

        private async Task CheckAsync(string what, string? barSymbol, Dictionary<Slot, decimal> positionsBefore, Dictionary<Slot, long> barsBefore,
            HashSet<Slot> runningBefore, HashSet<Slot>? workingBefore = null)
        {
            if (barSymbol is not null)
            {
                // The bar reached every running strategy of its symbol; a call that is not read-only waits for its turn to end.
                foreach (var slot in _slots.Where(s => _model[s].Running && s.Symbol == barSymbol))
                {
                    await Eventually.WaitAsync(async () => (await Grain(slot).GetStatusAsync())!.BarsSeen, n => n > barsBefore[slot],
                        $"seed {_seed} after {what}: {slot} to take the bar (it had seen {barsBefore[slot]})\n{History()}");
                    await Grain(slot).GetTradesAsync(new TradeQuery { Limit = 1 });
                }
            }

            foreach (var account in Accounts)
            {
                await WaitQuietAsync(account, what);
            }

            // Every new order of a strategy: only on a bar, only from one that ran, and only what its account's state lets through.
            foreach (var account in Accounts)
            {
                var orders = await AllOrdersAsync(account);
                var fresh = orders.Where(o => !_knownOrders[account].Contains(o.OrderId)).ToList();
                _knownOrders[account].UnionWith(orders.Select(o => o.OrderId));
                var state = await EffectiveAsync(account);
                foreach (var slot in _slots.Where(s => s.Account == account))
                {
                    var mine = fresh.Where(o => o.Origin == "strategy:" + slot.StrategyId).ToList();
                    var sent = string.Join(", ", mine.Select(o => $"{o.ClientOrderId} {o.Side} {o.Quantity} {o.Symbol} {o.Status} {o.StatusReason}"));
                    var context = $"seed {_seed} after {what}: {slot} ({state}) sent [{sent}]\n{History()}";
                    var model = _model[slot];
                    var earliest = model.Earlier.Select(SequenceOf).DefaultIfEmpty(0L).Max();
                    Assert.True(mine.All(o => SequenceOf(o.ClientOrderId) > earliest),
                        $"{context}: an order under a sequence of an earlier incarnation (up to {earliest})");
                    if (barSymbol != slot.Symbol || !(runningBefore.Contains(slot) && model.Running))
                    {
                        Assert.True(mine.Count == 0, $"{context}: a strategy that did not run through a bar of its symbol sent orders");
                        continue;
                    }

                    var accountBefore = positionsBefore[new Slot(account, string.Empty, slot.Symbol)];
                    await CheckBarOrdersAsync(slot, model, mine, positionsBefore[slot], workingBefore?.Contains(slot) == true, accountBefore, state, context);
                    accountBefore += mine.Sum(o => o.Side == OrderSide.Buy ? o.FilledQuantity : -o.FilledQuantity);
                    positionsBefore[new Slot(account, string.Empty, slot.Symbol)] = accountBefore;
                }
            }

            foreach (var slot in _slots)
            {
                await CheckStrategyAsync(slot, what);
            }

            foreach (var account in Accounts)
            {
                var listed = (await _cluster.Grains.GetGrain<IStrategyDirectoryGrain>(account).ListAsync()).Order(StringComparer.Ordinal);
                var expected = _slots.Where(s => s.Account == account && _model[s].Exists).Select(s => s.StrategyId).Order(StringComparer.Ordinal);
                Assert.True(listed.SequenceEqual(expected), $"seed {_seed} after {what}: {account} lists [{string.Join(", ", listed)}], model [{string.Join(", ", expected)}]\n{History()}");
            }

        }

        /// <summary>What a running strategy sent on a bar of its symbol, from its own position before the bar and the trading state.</summary>
        private async Task CheckBarOrdersAsync(Slot slot, ModelStrategy model, List<AccountOrder> mine, decimal before, bool working, decimal accountBefore,
            TradingState state, string context)
        {
            var admitted = mine.Where(o => o.Status is not (OrderStatus.Denied or OrderStatus.Rejected)).ToList();
            var informed = model.KnownVersions == await VersionsAsync(slot.Account);
            var target = model.Target;
            var toward = target - before;
            var side = toward > 0m ? OrderSide.Buy : OrderSide.Sell;
            var quantity = Math.Min(model.Step, Math.Abs(toward));
            switch (state)
            {
                case TradingState.Halted:
                    Assert.True(admitted.Count == 0, $"{context}: admitted while HALTED");
                    if (informed)
                    {
                        Assert.True(mine.Count == 0, $"{context}: sent while HALTED, after it read the state");
                        Saw("withheld HALTED");
                    }

                    break;
                case TradingState.Reducing:
                    // Only what reduces a position: the strategy's own once it knows the state, else (it learns it from the
                    // account's events, docs/strategies.md) at least the account's, which the account's own check judges.
                    var held = informed ? before : accountBefore;
                    foreach (var order in admitted)
                    {
                        // A resting limit by what it would do filled.
                        var moved = order.Status == OrderStatus.Filled ? order.FilledQuantity : order.Quantity;
                        var after = held + (order.Side == OrderSide.Buy ? moved : -moved);
                        Assert.True(held != 0m && Math.Sign(after) != -Math.Sign(held) && Math.Abs(after) < Math.Abs(held),
                            $"{context}: admitted while REDUCING but does not reduce {(informed ? "its own" : "the account's")} position {held}");
                        held = after;
                    }

                    if (informed)
                    {
                        // Toward the target and closing: sent, cut to the position; else withheld.
                        var reduces = !working && before != 0m && toward != 0m && Math.Sign(toward) == -Math.Sign(before);
                        var expected = reduces ? $"{side} {Math.Min(quantity, Math.Abs(before))}" : "nothing";
                        var actual = mine.Count == 0 ? "nothing" : string.Join(", ", mine.Select(o => $"{o.Side} {o.Quantity}"));
                        Assert.True(expected == actual, $"{context}: REDUCING, expected {expected}, sent {actual}");
                        Saw(reduces ? "reducing sent" : "reducing withheld");
                    }

                    break;
                default:
                    if (informed)
                    {
                        // One with an open order asks for nothing; a resting limit is accepted, a market order filled.
                        var expected = toward == 0m || working ? "nothing" : $"{side} {quantity} {(model.Rests ? OrderStatus.Accepted : OrderStatus.Filled)}";
                        var actual = mine.Count == 0 ? "nothing" : string.Join(", ", mine.Select(o => $"{o.Side} {o.Quantity} {o.Status}"));
                        Assert.True(expected == actual, $"{context}: ACTIVE, own position {before}, target {target}: expected {expected}, sent {actual}");
                        if (toward != 0m)
                        {
                            Saw("traded ACTIVE");
                        }
                    }

                    break;
            }
        }

        /// <summary>The strategy's status, trades and performance against the model and the fills of its own orders.</summary>
        private async Task CheckStrategyAsync(Slot slot, string what)
        {
            var model = _model[slot];
            var grain = Grain(slot);
            var context = $"seed {_seed} after {what}: {slot}";
            if (!model.Exists)
            {
                Assert.True(await grain.GetStatusAsync() is null, $"{context}: deleted or never created, but has a status\n{History()}");
                Assert.True(await grain.GetTradesAsync(new TradeQuery()) is null, $"{context}: deleted or never created, but has trades\n{History()}");
                Assert.True(await grain.GetPerformanceAsync(null, null) is null, $"{context}: deleted or never created, but has a performance\n{History()}");
                return;
            }

            var fills = await OwnFillsAsync(slot);
            var (position, realized, fees, closedTrades) = Replay(fills);
            var status = (await Eventually.WaitAsync(
                async () => (await grain.GetStatusAsync())!,
                s => s is not null && Held(s, slot.Symbol) == position,
                $"{context}: own position {position}"))!;
            var described = $"{context}: status running {status.Running} {Describe(status.Parameters)} position {Held(status, slot.Symbol)} realized {status.RealizedPnl} fees {status.FeesPaid} error {status.LastError}; " +
                $"model running {model.Running} {Describe(model.Parameters)} position {position} realized {realized} fees {fees} ({fills.Count} fills)\n{History()}";
            Assert.True(status.Running == model.Running, described);
            Assert.True(Describe(status.Parameters) == Describe(model.Parameters), described);
            Assert.True(status.LastError is null, described);
            Assert.True(status.FeesPaid == fees && Math.Abs(status.RealizedPnl - realized) <= 0.01m, described);

            await CheckToldAsync(slot, model, fills, context);

            // A stopped strategy's status values its orders' fills without booking them; its trades and performance book them.
            // Left unbooked at times, they meet later fills, restarts and kills, and a start, unbooked.
            if (!model.Running && _random.Next(2) == 0)
            {
                Saw("left unbooked");
                return;
            }

            var trades = (await grain.GetTradesAsync(new TradeQuery { Limit = 1000 }))!;
            var tradesRealized = trades.Trades.Sum(t => t.RealizedPnl) + trades.Open.Sum(t => t.RealizedPnl);
            var open = trades.Open.Sum(t => t.IsLong ? t.Quantity : -t.Quantity);
            Assert.True(trades.Trades.Count == closedTrades && open == position && Math.Abs(tradesRealized - realized) <= 0.01m,
                $"{context}: trades {trades.Trades.Count} closed, open {open}, realized {tradesRealized}; model {closedTrades} closed, position {position}, realized {realized}\n{described}");

            var performance = (await grain.GetPerformanceAsync(null, null))!;
            var dates = performance.Days.Select(d => d.Date).ToList();
            Assert.True(performance.Summary.Fills == fills.Count && performance.Summary.Fees == fees && dates.SequenceEqual(dates.Distinct().Order())
                && Math.Abs(performance.Summary.RealizedPnl - realized) <= 0.01m,
                $"{context}: performance fills {performance.Summary.Fills}, fees {performance.Summary.Fees}, realized {performance.Summary.RealizedPnl}, days [{string.Join(", ", dates)}]; " +
                $"model fills {fills.Count}, fees {fees}, realized {realized}\n{described}");
        }

        /// <summary>
        /// What the strategy was told (docs/strategies.md): nothing while stopped; once running, each fill of its orders through
        /// OnFill, those made while it was stopped too, exactly once (at least once after a kill, which loses what it was told
        /// since its last save), and the end of each of its limit orders that filled.
        /// </summary>
        private async Task CheckToldAsync(Slot slot, ModelStrategy model, List<AccountFill> fills, string context)
        {
            var key = KeyOf(slot);
            var own = fills.Select(f => f.ExecutionId).ToList();
            List<string> ToldNow() => TargetTrader.Told.TryGetValue(key, out var told) ? [.. told] : [];
            if (!model.Running)
            {
                var made = own.Skip(model.FillsSeen).ToList();
                if (made.Count > 0)
                {
                    model.FilledWhileStopped.UnionWith(made);
                    Saw("filled while stopped");
                }
            }

            model.FillsSeen = own.Count;
            var told = model.Running
                ? await Eventually.WaitAsync(() => Task.FromResult(ToldNow()), t => own.All(t.Contains),
                    $"{context}: told of its {own.Count} fills\n{History()}")
                : ToldNow();
            var described = $"{context}: told [{string.Join(", ", told)}], own fills [{string.Join(", ", own)}], made while stopped [{string.Join(", ", model.FilledWhileStopped)}], " +
                $"running {model.Running}, killed {model.Killed}\n{History()}";
            Assert.True(told.All(own.Contains), $"{described}\n: told of a fill not of its own orders");
            Assert.True(model.Killed || told.Count == told.Distinct(StringComparer.Ordinal).Count(), $"{described}\n: told of a fill twice");
            if (!model.Running)
            {
                Assert.True(!told.Exists(model.FilledWhileStopped.Contains), $"{described}\n: told of a fill while stopped");
                return;
            }

            if (model.FilledWhileStopped.Count > 0)
            {
                Saw("told after stop");
                model.FilledWhileStopped.Clear();
            }

            var filledLimits = (await OwnOrdersAsync(slot)).Where(o => o is { Type: OrderType.Limit, Status: OrderStatus.Filled }).Select(o => o.ClientOrderId).ToList();
            await Eventually.WaitAsync(
                () => Task.FromResult(TargetTrader.Ended.TryGetValue(key, out var ended) ? ended.Keys.ToHashSet(StringComparer.Ordinal) : []),
                ended => filledLimits.All(ended.Contains),
                $"{context}: told its filled limits [{string.Join(", ", filledLimits)}] ended\n{History()}");
        }

        /// <summary>Position, realized P&amp;L (average cost), fees and closed round trips of a sequence of fills.</summary>
        private static (decimal Position, decimal Realized, decimal Fees, int ClosedTrades) Replay(List<AccountFill> fills)
        {
            decimal position = 0m, average = 0m, realized = 0m, fees = 0m;
            var closed = 0;
            foreach (var fill in fills)
            {
                var signed = fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity;
                fees += fill.Fee;
                if (position == 0m || Math.Sign(signed) == Math.Sign(position))
                {
                    average = ((average * Math.Abs(position)) + (fill.Price * fill.Quantity)) / (Math.Abs(position) + fill.Quantity);
                    position += signed;
                    continue;
                }

                var closing = Math.Min(fill.Quantity, Math.Abs(position));
                realized += closing * (fill.Price - average) * Math.Sign(position);
                var after = position + signed;
                if (after == 0m || Math.Sign(after) != Math.Sign(position))
                {
                    closed++;
                    average = after == 0m ? 0m : fill.Price;
                }

                position = after;
            }

            return (position, realized, fees, closed);
        }

        /// <summary>The sequence of a strategy's client order id, "{strategyId}-{sequence}".</summary>
        private static long SequenceOf(string clientOrderId) =>
            long.Parse(clientOrderId[(clientOrderId.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);

        private static decimal Held(StrategyStatus status, string symbol) => status.Positions.SingleOrDefault(p => p.Symbol == symbol)?.Quantity ?? 0m;

        private static string Describe(IReadOnlyDictionary<string, string> parameters) =>
            "{" + string.Join(", ", parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")) + "}";

        private static DateTimeOffset StartOfMinute(DateTimeOffset at) => new(at.Ticks - (at.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

        private string History() => $"steps (seed {_seed}):\n{string.Join("\n", _log.TakeLast(25))}";
    }
}
