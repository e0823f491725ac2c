using System.Net;
using System.Text.Json;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Backtests and sweeps take CPU in the silo that trades, and any key may ask for them: the silo runs at most
/// Gateway:Backtests:MaxConcurrent at once, across keys, and refuses one more at once with 429 rather than queueing it
/// into a 504.
/// </summary>
public sealed class BacktestLimitTests
{
    [Fact]
    public async Task Backtests_BeyondMaxConcurrent_AreRefusedWith429AndRetryAfter_WhateverTheKey_AndASlotFreesWhenOneEnds()
    {
        using var gate = new HeldBacktest();
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?> { ["Gateway:Backtests:MaxConcurrent"] = "1" },
            configureSilo: silo => silo.Services.AddStrategy(gate.Definition));
        var t0 = DateTimeOffset.UnixEpoch.AddMinutes(29_000_000);
        var bars = Enumerable.Range(0, 10).Select(i => new Bar("BTLM", t0.AddMinutes(i), TimeSpan.FromMinutes(1), 50m, 50m, 50m, 50m, 100m, 1)).ToList();
        Assert.Equal(10, (await host.Grains.GetGrain<ISymbolGrain>("BTLM").IngestAsync(new TickBatch { Bars = bars })).Accepted);
        var (otherKey, _) = await host.IssueKeyAsync(["risk"], [await host.CreateAccountAsync()]);
        var held = new { kind = HeldBacktest.Kind, symbols = new[] { "BTLM" }, bars = 10 };
        var sweep = new
        {
            kind = "sma-crossover", symbols = new[] { "BTLM" }, bars = 10, parameters = new { quantity = "1" },
            grid = new { fastPeriod = new[] { "2" }, slowPeriod = new[] { "5" } },
        };

        // The first backtest holds its strategy until released: it is running while the others are sent.
        var first = host.SendJsonAsync(HttpMethod.Post, "/api/backtests", host.AdminKey, held, HttpStatusCode.OK);
        await gate.Entered.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        foreach (var (path, key, body) in new (string, string, object)[] { ("/api/backtests", otherKey, held), ("/api/backtests/sweep", host.AdminKey!, (object)sweep) })
        {
            using var response = await host.SendAsync(HttpMethod.Post, path, key, body);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{path}: expected 429, got {(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("BACKTEST_LIMIT", JsonDocument.Parse(text).RootElement.GetProperty("reason").GetString());
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"{path}: a 429 says when to try again");
        }

        gate.Release();
        await first;

        // Its slot is free again once it answered.
        var after = await host.SendJsonAsync(HttpMethod.Post, "/api/backtests/sweep", otherKey, sweep, HttpStatusCode.OK);
        Assert.Equal(1, after.GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public async Task ASweepWhoseClientHangsUp_StopsBeforeItsNextRun_AndFreesItsSlot()
    {
        // Each run's start counts; the first waits, inside the sweep, until the sweep's client has hung up.
        var starts = 0;
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = new StrategyDefinition
        {
            Kind = "waits-for-hang-up", ParameterNames = ["p"], StateType = typeof(HeldState),
            Create = _ => new CallbackStrategy("waits-for-hang-up", () =>
            {
                if (Interlocked.Increment(ref starts) == 1)
                {
                    entered.SetResult();
                    if (RequestContext.Get(RequestContextKeys.RequestAborted) is CancellationToken hungUp)
                    {
                        hungUp.WaitHandle.WaitOne(TimeSpan.FromMinutes(1));
                    }
                }
            }),
        };
        await using var host = await GatewayHost.StartAsync(configureSilo: silo => silo.Services.AddStrategy(waiting));
        var t0 = DateTimeOffset.UnixEpoch.AddMinutes(29_000_000);
        var bars = Enumerable.Range(0, 10).Select(i => new Bar("BTHU", t0.AddMinutes(i), TimeSpan.FromMinutes(1), 50m, 50m, 50m, 50m, 100m, 1)).ToList();
        Assert.Equal(10, (await host.Grains.GetGrain<ISymbolGrain>("BTHU").IngestAsync(new TickBatch { Bars = bars })).Accepted);

        using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var request = host.Request(HttpMethod.Post, "/api/backtests/sweep", host.AdminKey, new
        {
            kind = "waits-for-hang-up", symbols = new[] { "BTHU" }, bars = 10, grid = new { p = Enumerable.Range(0, 10).Select(i => $"{i}").ToArray() },
        });
        var sweep = host.Client.SendAsync(request, hangUp.Token);
        await entered.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sweep);

        // The slot frees once the sweep has ended; then it has started no run after the first.
        var probe = new { kind = "sma-crossover", symbols = new[] { "BTHU" }, bars = 10, parameters = new { quantity = "1", fastPeriod = "2", slowPeriod = "5" } };
        Assert.Equal(HttpStatusCode.OK, await PostOnceAPlaceIsFreeAsync(host, probe));
        Assert.Equal(1, starts);
    }

    [Fact]
    public async Task ABacktestWhoseCallTimedOut_KeepsItsPlaceUntilItEnds_SoARetryRunsNoSecondBesideIt()
    {
        using var gate = new HeldBacktest();
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?> { ["Gateway:Backtests:MaxConcurrent"] = "1" },
            configureSilo: silo =>
            {
                silo.Services.AddStrategy(gate.Definition);
                silo.Configure<SiloOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(2));
            });
        var t0 = DateTimeOffset.UnixEpoch.AddMinutes(29_000_000);
        var bars = Enumerable.Range(0, 10).Select(i => new Bar("BTTO", t0.AddMinutes(i), TimeSpan.FromMinutes(1), 50m, 50m, 50m, 50m, 100m, 1)).ToList();
        Assert.Equal(10, (await host.Grains.GetGrain<ISymbolGrain>("BTTO").IngestAsync(new TickBatch { Bars = bars })).Accepted);
        var held = new { kind = HeldBacktest.Kind, symbols = new[] { "BTTO" }, bars = 10 };

        // The first backtest is held past its call's timeout: the gateway answers 504 while it still runs.
        using (var timedOut = await host.SendAsync(HttpMethod.Post, "/api/backtests", host.AdminKey, held))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        }

        await gate.Entered.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        // The retry finds its place still taken: refused, not run beside it.
        using (var retry = await host.SendAsync(HttpMethod.Post, "/api/backtests", host.AdminKey, held))
        {
            var text = await retry.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(retry.StatusCode == HttpStatusCode.TooManyRequests, $"expected 429, got {(int)retry.StatusCode}: {text}");
            Assert.Equal("BACKTEST_LIMIT", JsonDocument.Parse(text).RootElement.GetProperty("reason").GetString());
        }

        Assert.Equal((1, 1), (gate.Starts, gate.MostRunningAtOnce));

        // Once the held one has ended, the place is free again.
        gate.Release();
        Assert.Equal(HttpStatusCode.OK, await PostOnceAPlaceIsFreeAsync(host, held));
        Assert.Equal((2, 1), (gate.Starts, gate.MostRunningAtOnce));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_001)]
    public void MaxConcurrent_OutsideOneToAThousand_StopsTheStart_NamingTheSetting(int max)
    {
        var result = new GatewayOptionsValidator().Validate(null, new GatewayOptions { Backtests = { MaxConcurrent = max } });

        Assert.Contains($"Gateway:Backtests:MaxConcurrent must be between 1 and 1000 (got {max}).", result.Failures ?? []);
        Assert.True(new GatewayOptionsValidator().Validate(null, new GatewayOptions { Backtests = { MaxConcurrent = 1_000 } }).Succeeded);
    }

    /// <summary>A strategy kind whose first backtest blocks in its start until released: a backtest that is running, on demand.</summary>
    private sealed class HeldBacktest : IDisposable
    {
        public const string Kind = "held-backtest";

        private readonly ManualResetEventSlim _release = new();
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;
        private int _running;
        private int _mostRunning;

        public Task Entered => _entered.Task;

        /// <summary>Backtests of this kind started so far.</summary>
        public int Starts => Volatile.Read(ref _started);

        /// <summary>The most of them inside their start at once (the first stays there until released).</summary>
        public int MostRunningAtOnce => Volatile.Read(ref _mostRunning);

        public StrategyDefinition Definition => new()
        {
            Kind = Kind, ParameterNames = [], MaxSymbols = 1, StateType = typeof(HeldState), Create = _ => new HeldStrategy(this),
        };

        public void Release() => _release.Set();

        public void Dispose()
        {
            _release.Set();
            _release.Dispose();
        }

        private void OnStart()
        {
            var running = Interlocked.Increment(ref _running);
            InterlockedMax(ref _mostRunning, running);
            if (Interlocked.Increment(ref _started) == 1)
            {
                _entered.SetResult();
                _release.Wait(TimeSpan.FromMinutes(1));
            }

            Interlocked.Decrement(ref _running);
        }

        private static void InterlockedMax(ref int location, int value)
        {
            var seen = Volatile.Read(ref location);
            while (value > seen && Interlocked.CompareExchange(ref location, value, seen) is var found && found != seen)
            {
                seen = found;
            }
        }

        private sealed class HeldStrategy(HeldBacktest owner) : StrategyBase
        {
            public override string Kind => HeldBacktest.Kind;

            public override void OnBar(Bar bar)
            {
            }

            public override StrategyState GetState() => new HeldState();

            public override void Restore(StrategyState state)
            {
            }

            protected override void OnStarted() => owner.OnStart();
        }
    }

    /// <summary>A strategy that never trades and calls back at each run's start.</summary>
    private sealed class CallbackStrategy(string kind, Action onStarted) : StrategyBase
    {
        public override string Kind => kind;

        public override void OnBar(Bar bar)
        {
        }

        public override StrategyState GetState() => new HeldState();

        public override void Restore(StrategyState state)
        {
        }

        protected override void OnStarted() => onStarted();
    }

    private sealed record HeldState : StrategyState;

    /// <summary>Posts the backtest until it is not refused for want of a place (a minute at most); its status.</summary>
    private static async Task<HttpStatusCode> PostOnceAPlaceIsFreeAsync(GatewayHost host, object body)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (TimeProvider.System.TimestampFrequency * 60);
        HttpStatusCode status;
        do
        {
            using var response = await host.SendAsync(HttpMethod.Post, "/api/backtests", host.AdminKey, body);
            status = response.StatusCode;
            if (status == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }
        while (status == HttpStatusCode.TooManyRequests && TimeProvider.System.GetTimestamp() < deadline);

        return status;
    }
}
