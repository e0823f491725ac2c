using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A seeded, stateful random walk over one account on the paper exchange: orders of every simple type on three symbols,
/// replaces, cancels, quote and trade moves that fill and partly fill them, transfers, day rolls and silo restarts on the
/// same SQLite storage. After every step, with the account quiet, its figures are checked against a model computed from
/// its own fills and transfers, and its fills and working orders against the venue's. A failure names the seed and step
/// (and the steps before it), so it replays exactly.
/// </summary>
public sealed class AccountModelFuzzTests : IDisposable
{
    private static readonly string[] Symbols = ["FZA", "FZB", "FZC"];
    private const decimal InitialCash = 200_000m;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1, AccountType.Margin)]
    [InlineData(2, AccountType.Cash)]
    [InlineData(3, AccountType.Margin)]
    [InlineData(4, AccountType.Cash)]
    public async Task RandomSteps_KeepTheAccountEqualToTheModelOfItsFillsAndTransfers(int seed, AccountType accountType)
    {
        await using var run = await FuzzRun.StartAsync(_dir.File($"fuzz-{seed}.db"), seed, accountType);
        for (var step = 1; step <= 160; step++)
        {
            await run.StepAsync(step);
        }

        // The walk reached the paths it is for: denials, partial fills, restarts.
        Assert.True(run.Covered(out var coverage), coverage);
    }

    /// <summary>One seed's account, cluster, market and model.</summary>
    private sealed class FuzzRun : IAsyncDisposable
    {
        private readonly Random _random;
        private readonly FakeTimeProvider _time;
        private readonly Dictionary<string, decimal> _mids = [];
        private readonly List<string> _log = [];
        private readonly int _seed;
        private readonly DateTimeOffset _start;
        private readonly TradingCluster _cluster;
        private int _orders;
        private int _transfers;
        private int _partials;
        private List<AccountFill> _fills = [];
        private List<JournalEntry> _journal = [];
        private long _lastEvent;
        private int _filled;

        private FuzzRun(TradingCluster cluster, FakeTimeProvider time, int seed)
        {
            _cluster = cluster;
            _time = time;
            _seed = seed;
            _random = new Random(seed);
            _start = time.GetUtcNow();
        }

        private IAccountGrain Account => _cluster.Account(AccountId);

        private IBrokerClient Venue => _cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient(AccountId);

        private string AccountId => $"fuzz-{_seed}";

        public static async Task<FuzzRun> StartAsync(string path, int seed, AccountType accountType)
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
            var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
            {
                SqlitePath = path,
                Time = time,
                ConfigureSilo = silo => silo.ForFakeClockWalks(),
            });
            var run = new FuzzRun(cluster, time, seed);
            foreach (var symbol in Symbols)
            {
                run._mids[symbol] = 50m + (20m * Array.IndexOf(Symbols, symbol));
                await run.QuoteAsync(symbol, 1_000m);
            }

            var opened = await cluster.Account(run.AccountId).OpenAsync(new OpenAccount
            {
                Cash = InitialCash,
                AccountType = accountType,
                FeeModel = new FeeModelSpec { Kind = FeeModelKind.PerShare },
                RiskLimits = TestAccounts.Loose with { MaxOrderNotional = 60_000m, MaxOpenOrders = 12 },
                BreakerPolicy = Domain.Breaker.BreakerPolicy.Default with { DailyLossLimit = 10_000_000m, MaxDrawdownPercent = 99m },
            });
            Assert.True(opened.Succeeded, opened.Message);
            await run.CheckAsync("open");
            return run;
        }

        public ValueTask DisposeAsync() => _cluster.DisposeAsync();

        public bool Covered(out string coverage)
        {
            var counts = _log.Count(l => l.Contains("-> denied", StringComparison.Ordinal));
            var restarts = _log.Count(l => l.Contains("restart", StringComparison.Ordinal));
            coverage = $"seed {_seed}: {counts} denials, {_partials} partly filled orders, {restarts} restarts, {_filled} fills";
            return counts > 0 && _partials > 0 && restarts > 0 && _filled > 0;
        }

        public async Task StepAsync(int step)
        {
            var roll = _random.Next(100);
            string what;
            if (roll < 30)
            {
                what = await PlaceAsync();
            }
            else if (roll < 40)
            {
                what = await ReplaceAsync();
            }
            else if (roll < 48)
            {
                what = await CancelAsync();
            }
            else if (roll < 80)
            {
                what = await MoveMarketAsync();
            }
            else if (roll < 88)
            {
                what = await TransferAsync();
            }
            else if (roll < 92)
            {
                what = await CrossMidnightAsync();
            }
            else if (roll < 95)
            {
                what = await RestartAsync(kill: _random.Next(2) == 0);
            }
            else
            {
                _time.Advance(TimeSpan.FromSeconds(_random.Next(1, 20)));
                await QuoteAllAsync();
                what = "tick";
            }

            _log.Add($"{step}: {what}");
            await CheckAsync(what);
        }

        private async Task<string> PlaceAsync()
        {
            var symbol = Symbols[_random.Next(Symbols.Length)];
            var side = _random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
            var position = (await Account.GetPositionsAsync()).FirstOrDefault(p => p.Symbol == symbol)?.Quantity ?? 0m;

            // Sells often go for the position and beyond it (a flip, a short, or a denial in a cash account).
            var quantity = side == OrderSide.Sell && position > 0 && _random.Next(2) == 0
                ? position + _random.Next(-2, 6)
                : _random.Next(1, 40);
            quantity = Math.Max(1m, quantity);
            var mid = _mids[symbol];
            var type = new[] { OrderType.Market, OrderType.Limit, OrderType.Stop, OrderType.StopLimit }[_random.Next(4)];
            var sign = side == OrderSide.Buy ? 1m : -1m;

            // Limits around the touch (some marketable, a few outside the price band); stops away from it on the side they trigger.
            var limit = Math.Round(mid * (1m + (sign * _random.Next(-40, 25) / 1_000m)), 2);
            if (_random.Next(20) == 0)
            {
                limit = Math.Round(mid * (1m + (sign * 0.2m)), 2);
            }

            var stop = Math.Round(mid * (1m + (sign * _random.Next(1, 30) / 1_000m)), 2);
            var request = new OrderRequest
            {
                ClientOrderId = $"f{_seed}-{++_orders}",
                Symbol = symbol,
                Side = side,
                Type = type,
                Quantity = quantity,
                LimitPrice = type is OrderType.Limit or OrderType.StopLimit ? limit : null,
                StopPrice = type is OrderType.Stop or OrderType.StopLimit ? stop : null,
                TimeInForce = type == OrderType.Market || _random.Next(2) == 0 ? TimeInForce.Day : TimeInForce.Gtc,
            };

            var before = (await Account.GetSnapshotAsync())!;
            var preview = await Account.PreviewOrderAsync(request);
            var placed = await Account.PlaceOrderAsync(new PlaceOrder { Request = request });
            var what = $"place {request.ClientOrderId} {side} {quantity} {symbol} {type} lmt {request.LimitPrice} stp {request.StopPrice} {request.TimeInForce} (pos {position}, mid {mid})";
            if (placed.Denial is { } denial)
            {
                Assert.False(string.IsNullOrWhiteSpace(denial.ReasonCode), $"{what}: a denial without a reason code");
                Assert.False(preview.Approved, $"{what}: denied {denial.ReasonCode} though the preview approved it");
                return $"{what} -> denied {denial.ReasonCode}";
            }

            Assert.True(preview.Approved, $"{what}: placed though the preview denied it ({preview.ReasonCode})");

            // The reservation it took fitted the buying power left by the orders accepted before it.
            Assert.True(before.BuyingPower is null || preview.RequiredReservation <= before.BuyingPower,
                $"{what}: reserved {preview.RequiredReservation} of a buying power of {before.BuyingPower}");
            return $"{what} -> {placed.Order!.Status}";
        }

        private async Task<string> ReplaceAsync()
        {
            var working = await WorkingAsync();
            if (working.Count == 0)
            {
                return "replace (nothing working)";
            }

            var order = working[_random.Next(working.Count)];
            var replacement = new OrderReplacement
            {
                Quantity = _random.Next(3) == 0 ? null : Math.Max(1m, order.Quantity + _random.Next(-5, 10)),
                LimitPrice = order.LimitPrice is { } l && _random.Next(2) == 0 ? Math.Round(l * (1m + (_random.Next(-20, 21) / 1_000m)), 2) : null,
                StopPrice = order.StopPrice is { } s && _random.Next(2) == 0 ? Math.Round(s * (1m + (_random.Next(-10, 11) / 1_000m)), 2) : null,
            };
            if (replacement.Quantity is null && replacement.LimitPrice is null && replacement.StopPrice is null)
            {
                replacement = replacement with { Quantity = order.Quantity + 1m };
            }

            var result = await Account.ReplaceOrderAsync(new ReplaceOrder { OrderId = order.OrderId, Replacement = replacement });
            var what = $"replace {order.ClientOrderId} ({order.Type} {order.Quantity} filled {order.FilledQuantity} lmt {order.LimitPrice} stp {order.StopPrice}) qty {replacement.Quantity} lmt {replacement.LimitPrice} stp {replacement.StopPrice}";
            if (result.Denial is { } denial)
            {
                Assert.False(string.IsNullOrWhiteSpace(denial.ReasonCode), $"{what}: a denial without a reason code");
                return $"{what} -> denied {denial.ReasonCode}";
            }

            return $"{what} -> {result.Order!.Status}";
        }

        private async Task<string> CancelAsync()
        {
            var working = await WorkingAsync();
            if (working.Count == 0)
            {
                return "cancel (nothing working)";
            }

            var order = working[_random.Next(working.Count)];
            var result = await Account.CancelOrderAsync(order.OrderId);
            return $"cancel {order.ClientOrderId} -> {result.Order?.Status} {result.Denial?.ReasonCode}";
        }

        private async Task<string> MoveMarketAsync()
        {
            var symbol = Symbols[_random.Next(Symbols.Length)];
            _time.Advance(TimeSpan.FromSeconds(1));
            _mids[symbol] = Math.Max(5m, Math.Round(_mids[symbol] * (1m + (_random.Next(-25, 26) / 1_000m)), 2));

            // Small displayed sizes: marketable orders fill in parts.
            var size = (decimal)_random.Next(3, 40);
            await QuoteAsync(symbol, size);
            var what = $"quote {symbol} {_mids[symbol]} x {size}";
            if (_random.Next(2) == 0)
            {
                var print = Math.Round(_mids[symbol] * (1m + (_random.Next(-8, 9) / 1_000m)), 2);
                await Market.TradeAsync(_cluster, symbol, print, _random.Next(1, 200));
                what += $"; trade {print}";
            }

            return what;
        }

        private async Task<string> TransferAsync()
        {
            var amount = _random.Next(3) == 0 ? -_random.Next(1_000, 150_000) : _random.Next(1_000, 50_000);
            var id = $"t{_seed}-{++_transfers}";
            var result = await Account.TransferCashAsync(new TransferCash { TransferId = id, Amount = amount + 0.37m });
            if (!result.Succeeded)
            {
                Assert.False(string.IsNullOrWhiteSpace(result.ErrorCode), $"transfer {id}: refused without an error code");
            }
            else if (amount < 0)
            {
                // A withdrawal leaves the cash that working orders reserved.
                var after = (await Account.GetSnapshotAsync())!;
                Assert.True(after.AccountType == AccountType.Margin || after.Cash >= after.Reserved,
                    $"seed {_seed}: withdrawal {id} left cash {after.Cash} under the {after.Reserved} reserved\n{History()}");
            }

            return $"transfer {id} {amount + 0.37m} -> {(result.Succeeded ? "made" : result.ErrorCode)}";
        }

        private async Task<string> CrossMidnightAsync()
        {
            // Refreshed first, the account is active before the jump (the silo's timeouts are set long for the jump: StartAsync).
            await Account.RefreshAsync();
            var now = _time.GetUtcNow();
            var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            _time.Advance(midnight - now - TimeSpan.FromSeconds(10));
            await QuoteAllAsync();
            _time.Advance(TimeSpan.FromSeconds(15));
            await QuoteAllAsync();
            await Account.RefreshAsync();
            return $"midnight {midnight:yyyy-MM-dd}";
        }

        private async Task<string> RestartAsync(bool kill)
        {
            // Marks at the mids on both sides: a print at each, as the restarted symbol grains know only the quotes sent next.
            await QuoteAllAsync();
            foreach (var symbol in Symbols)
            {
                await Market.TradeAsync(_cluster, symbol, _mids[symbol], 1m);
            }

            await WaitQuietAsync("quotes before the restart");
            var before = await ObserveAsync();
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
            await WaitQuietAsync(kill ? "kill" : "restart");
            var after = await ObserveAsync();
            Assert.True(before.Equals(after), $"seed {_seed}: after a {(kill ? "kill" : "restart")}\nbefore: {before}\nafter:  {after}\n{History()}");
            return kill ? "kill and restart" : "restart";
        }

        private async Task QuoteAllAsync()
        {
            // A quote stamped like the symbol's last one is taken for a repeat.
            _time.Advance(TimeSpan.FromMilliseconds(10));
            foreach (var symbol in Symbols)
            {
                await QuoteAsync(symbol, 1_000m);
            }
        }

        private Task QuoteAsync(string symbol, decimal size) =>
            Market.QuoteAsync(_cluster, symbol, _mids[symbol] - 0.01m, _mids[symbol] + 0.01m, size: size);

        private async Task<List<AccountOrder>> WorkingAsync() =>
            [.. (await Account.GetOrdersAsync(OrderStatusFilter.Open, 1_000, null)).OrderBy(o => o.OrderId, StringComparer.Ordinal)];

        private static Task<List<T>> PagesAsync<T>(Func<long, Task<IReadOnlyList<T>>> read, Func<T, long> sequence) =>
            MoreAsync([], read, sequence);

        /// <summary>The entries after those already read (history is append-only: each step reads only what it added).</summary>
        private static async Task<List<T>> MoreAsync<T>(List<T> known, Func<long, Task<IReadOnlyList<T>>> read, Func<T, long> sequence)
        {
            var all = new List<T>(known);
            while (true)
            {
                var page = await read(all.Count == 0 ? 0 : sequence(all[^1]));
                if (page.Count == 0)
                {
                    return all;
                }

                all.AddRange(page);
            }
        }

        /// <summary>Waits until no order is in flight or pending and the account holds exactly the venue's fills and working orders.</summary>
        private async Task WaitQuietAsync(string what)
        {
            var venue = Venue;
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(20);
            var polls = 0;
            while (true)
            {
                var working = await WorkingAsync();
                var fills = await MoreAsync(_fills, s => Account.GetFillsAsync(s, 1_000), f => f.Sequence);
                var executions = await venue.GetExecutionsSinceAsync(_start, TestContext.Current.CancellationToken);
                var open = await venue.ListOpenOrdersAsync(TestContext.Current.CancellationToken);
                var settled = working.All(o => !o.InFlight && o.Status is OrderStatus.Accepted or OrderStatus.PartiallyFilled);
                var sameFills = fills.Select(f => f.ExecutionId).Order(StringComparer.Ordinal)
                    .SequenceEqual(executions.Select(e => e.ExecutionId).Order(StringComparer.Ordinal));
                var sameOrders = working.Select(o => o.BrokerOrderId).Order(StringComparer.Ordinal)
                    .SequenceEqual(open.Select(o => o.OrderId).Order(StringComparer.Ordinal));
                if (settled && sameFills && sameOrders)
                {
                    return;
                }

                if (TimeProvider.System.GetUtcNow() > deadline)
                {
                    Assert.Fail($"seed {_seed}: not quiet after {what}: settled {settled}, fills {fills.Count} vs venue {executions.Count}, " +
                        $"working [{string.Join(", ", working.Select(o => $"{o.ClientOrderId} {o.Status} {o.BrokerOrderId}"))}] vs venue " +
                        $"[{string.Join(", ", open.Select(o => $"{o.ClientOrderId} {o.Status} {o.OrderId}"))}]\n{History()}");
                }

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
            await WaitQuietAsync(what);
            var context = $"seed {_seed} after {what}";
            var snapshot = (await Account.GetSnapshotAsync())!;
            var fills = _fills = await MoreAsync(_fills, s => Account.GetFillsAsync(s, 1_000), f => f.Sequence);
            var journalBefore = _journal.Count;
            var journal = _journal = await MoreAsync(_journal, s => Account.GetJournalAsync(s, 1_000), j => j.Sequence);
            var transfers = await Account.GetTransfersAsync();
            var positions = await Account.GetPositionsAsync();
            var all = new List<AccountOrder>();
            string? after = null;
            while (true)
            {
                var page = await Account.GetOrdersAsync(OrderStatusFilter.All, 1_000, after);
                if (page.Count == 0)
                {
                    break;
                }

                all.AddRange(page);
                after = page[^1].OrderId;
            }

            var working = await WorkingAsync();
            _partials = Math.Max(_partials, all.Count(o => o.FilledQuantity > 0m && o.FilledQuantity < o.Quantity));
            _filled = fills.Count;

            // Sequences: gap-free from 1.
            AssertGapFree(fills.Select(f => f.Sequence), $"{context}: fill sequences");
            AssertGapFree(journal.Select(j => j.Sequence), $"{context}: journal sequences");
            var events = await Account.GetEventsAsync(_lastEvent, 10_000);
            var eventSequences = events.Events.Select(e => e.Sequence).Prepend(_lastEvent).ToList();
            for (var i = 1; i < eventSequences.Count; i++)
            {
                Assert.True(eventSequences[i] == eventSequences[i - 1] + 1, $"{context}: event sequences {eventSequences[i - 1]} then {eventSequences[i]}");
            }

            _lastEvent = eventSequences[^1];

            // Events wait for their write (a broker acceptance rides with the next one) before readers see them.
            Assert.True(events.LastSequence <= snapshot.LastEventSequence, $"{context}: events up to {events.LastSequence}, snapshot {snapshot.LastEventSequence}");
            Assert.Equal(eventSequences[^1], events.LastSequence);
            Assert.Equal(fills.Count, fills.Select(f => f.ExecutionId).Distinct().Count());

            // Positions: the signed sum of the fills.
            foreach (var symbol in Symbols)
            {
                var expected = fills.Where(f => f.Symbol == symbol).Sum(f => f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity);
                var held = positions.FirstOrDefault(p => p.Symbol == symbol)?.Quantity ?? 0m;
                Assert.True(expected == held, $"{context}: {symbol} position {held}, fills sum to {expected}\n{History()}");
            }

            // Cash: opening cash plus transfers minus the signed notional and fees of the fills, to the cent.
            var expectedCash = InitialCash + transfers.Sum(t => t.Amount)
                - fills.Sum(f => (f.Side == OrderSide.Buy ? 1m : -1m) * f.Quantity * f.Price) - fills.Sum(f => f.Fee);
            Assert.True(Math.Round(expectedCash, 2) == Math.Round(snapshot.Cash, 2), $"{context}: cash {snapshot.Cash}, model {expectedCash}\n{History()}");
            Assert.True(fills.Sum(f => f.Fee) == snapshot.Fees, $"{context}: fees {snapshot.Fees}, fills' fees {fills.Sum(f => f.Fee)}");
            Assert.True(fills.Sum(f => f.RealizedPnl) == snapshot.RealizedPnl, $"{context}: realized {snapshot.RealizedPnl}, fills' {fills.Sum(f => f.RealizedPnl)}");

            // Average-cost positions recomputed from the fills in application order: entry price, realized P&L (per fill and
            // per position; a flip closes the old side and opens the new at the fill price) and fees.
            foreach (var symbol in Symbols)
            {
                decimal quantity = 0m, average = 0m, realized = 0m;
                foreach (var fill in fills.Where(f => f.Symbol == symbol))
                {
                    var signed = fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity;
                    var fillRealized = 0m;
                    if (quantity != 0m && Math.Sign(signed) != Math.Sign(quantity))
                    {
                        var closed = Math.Min(Math.Abs(signed), Math.Abs(quantity));
                        fillRealized = (fill.Price - average) * closed * Math.Sign(quantity);
                        var left = quantity + signed;
                        average = left == 0m ? 0m : Math.Sign(left) == Math.Sign(quantity) ? average : fill.Price;
                        quantity = left;
                    }
                    else
                    {
                        average = ((average * Math.Abs(quantity)) + (fill.Price * Math.Abs(signed))) / Math.Abs(quantity + signed);
                        quantity += signed;
                    }

                    realized += fillRealized;
                    Assert.True(Math.Abs(fillRealized - fill.RealizedPnl) < 0.000001m,
                        $"{context}: fill {fill.Sequence} ({fill.Side} {fill.Quantity} {symbol} @ {fill.Price}) realized {fill.RealizedPnl}, model {fillRealized}\n{History()}");
                }

                var position = positions.FirstOrDefault(p => p.Symbol == symbol);
                Assert.True(Math.Abs(realized - (position?.RealizedPnl ?? 0m)) < 0.000001m, $"{context}: {symbol} realized {position?.RealizedPnl}, model {realized}");
                Assert.True(fills.Where(f => f.Symbol == symbol).Sum(f => f.Fee) == (position?.FeesPaid ?? 0m), $"{context}: {symbol} fees {position?.FeesPaid}");
                if (quantity != 0m)
                {
                    Assert.True(Math.Abs(average - position!.AverageEntryPrice) < 0.000001m, $"{context}: {symbol} entry {position.AverageEntryPrice}, model {average}\n{History()}");
                }
            }

            // The venue holds the same positions.
            var venuePositions = await Venue.GetPositionsAsync(TestContext.Current.CancellationToken);
            foreach (var symbol in Symbols)
            {
                var held = positions.FirstOrDefault(p => p.Symbol == symbol)?.Quantity ?? 0m;
                var atVenue = venuePositions.FirstOrDefault(p => p.Symbol == symbol)?.Quantity ?? 0m;
                Assert.True(held == atVenue, $"{context}: {symbol} position {held}, venue {atVenue}\n{History()}");
            }

            // The round trips share out the same realized P&L and fees.
            var trades = (await Account.GetTradesAsync(new TradeQuery { Limit = 1_000 }))!;
            var tradeRealized = trades.Trades.Sum(t => t.RealizedPnl) + trades.Open.Sum(t => t.RealizedPnl);
            var tradeFees = trades.Trades.Sum(t => t.Fees) + trades.Open.Sum(t => t.Fees);
            Assert.True(Math.Abs(tradeRealized - snapshot.RealizedPnl) < 0.01m, $"{context}: trades' realized {tradeRealized}, account {snapshot.RealizedPnl}\n{History()}");
            Assert.True(Math.Abs(tradeFees - snapshot.Fees) < 0.01m, $"{context}: trades' fees {tradeFees}, account {snapshot.Fees}\n{History()}");
            foreach (var symbol in Symbols)
            {
                var held = positions.FirstOrDefault(p => p.Symbol == symbol)?.Quantity ?? 0m;
                var open = trades.Open.Where(t => t.Symbol == symbol).Sum(t => t.IsLong ? t.Quantity : -t.Quantity);
                Assert.True(held == open, $"{context}: {symbol} position {held}, open round trips {open}\n{History()}");
            }

            // Orders: working ones are not final, final ones left the working set; fills never exceed the quantity.
            var workingIds = working.Select(o => o.OrderId).ToHashSet();
            Assert.Equal(snapshot.OpenOrderCount, working.Count);
            Assert.Equal(all.Count, all.Select(o => o.OrderId).Distinct().Count());
            foreach (var order in all)
            {
                var filled = fills.Where(f => f.OrderId == order.OrderId).Sum(f => f.Quantity);
                var label = $"{context}: order {order.ClientOrderId} ({order.OrderId}) {order.Status} qty {order.Quantity} filled {order.FilledQuantity}";
                Assert.True(order.Status.IsFinal() != workingIds.Contains(order.OrderId), $"{label}: final and working disagree\n{History()}");
                Assert.True(order.FilledQuantity <= order.Quantity, $"{label}: overfilled\n{History()}");
                Assert.True(filled == order.FilledQuantity, $"{label}: its fills sum to {filled}\n{History()}");
                if (order.Status == OrderStatus.Filled)
                {
                    Assert.True(order.FilledQuantity == order.Quantity, $"{label}: filled short of its quantity\n{History()}");
                }

                if (workingIds.Contains(order.OrderId))
                {
                    Assert.True(order.LeavesQuantity == order.Quantity - order.FilledQuantity, $"{label}: leaves {order.LeavesQuantity}\n{History()}");
                }
            }

            // Reservations: never negative, none without working orders.
            Assert.True(snapshot.Reserved >= 0m, $"{context}: reserved {snapshot.Reserved}");
            if (working.Count == 0)
            {
                Assert.True(snapshot.Reserved == 0m, $"{context}: {snapshot.Reserved} reserved with no working order\n{History()}");
            }

            // Denials: each journaled with its reason code.
            foreach (var denied in journal.Skip(journalBefore).Where(j => j.To == OrderStatus.Denied || j.Action.Contains("denied", StringComparison.Ordinal)))
            {
                Assert.False(string.IsNullOrWhiteSpace(denied.RiskReasonCode), $"{context}: journal {denied.Sequence} {denied.Action} has no reason code");
            }
        }

        private static void AssertGapFree(IEnumerable<long> sequences, string what)
        {
            var expected = 1L;
            foreach (var sequence in sequences)
            {
                Assert.True(sequence == expected, $"{what}: {sequence} where {expected} was next");
                expected++;
            }
        }

        private async Task<string> ObserveAsync()
        {
            // Valued at the same marks on both sides, so the high-water mark has seen the same equity.
            await Account.RefreshAsync();
            var s = (await Account.GetSnapshotAsync())!;
            var positions = (await Account.GetPositionsAsync()).OrderBy(p => p.Symbol, StringComparer.Ordinal)
                .Select(p => $"{p.Symbol} {p.Quantity} @{p.AverageEntryPrice} r{p.RealizedPnl} f{p.FeesPaid}");
            var working = (await WorkingAsync()).Select(o => o with { UpdatedAt = default, HighWaterMark = null });
            var fills = await PagesAsync(q => Account.GetFillsAsync(q, 1_000), f => f.Sequence);
            var journal = await PagesAsync(q => Account.GetJournalAsync(q, 1_000), j => j.Sequence);
            // Equity and buying power are left out: they follow the marks, and a restarted symbol grain forgets its last print.
            return $"cash {s.Cash} reserved {s.Reserved} realized {s.RealizedPnl} fees {s.Fees} hwm {s.HighWaterMark} " +
                $"state {s.TradingState} open {s.OpenOrderCount} inflight {s.InFlightOrderCount} events {s.LastEventSequence} " +
                $"fills {fills.Count} journal {journal.Count}\npositions [{string.Join("; ", positions)}]\nworking [{string.Join("; ", working)}]";
        }

        private string History() => $"steps (seed {_seed}):\n{string.Join("\n", _log.TakeLast(25))}";
    }
}
