using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Market;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Grains.Tests.Samples;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>Keeps the sample of docs/runtime.md, "Your own grains and their cluster tests", compiling and true.</summary>
public sealed class PriceAlertSampleTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryGrainStorage _storage = new(new JsonGrainStateSerializer([SampleJsonContext.Default]));
    private readonly MemoryReminderTable _reminders = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PriceAlert_HearsTicks_KeepsItsStateAcrossARestart_AndItsReminderBringsItBack()
    {
        await using var cluster = new TestClusterBuilder().AddSiloBuilderConfigurator(ConfigureSilo).Build();
        await cluster.DeployAsync(Ct);
        var book = cluster.Client.GetGrain<IAlertBookGrain>("alice");
        var alert = cluster.Client.GetGrain<IPriceAlertGrain>("AAPL");
        var ticks = cluster.Client.GetStreamProvider(StreamNames.MemoryProvider)
            .GetStream<MarketTick>(StreamId.Create(StreamNames.Ticks, "AAPL"));

        // The book calls the alert, which activates, subscribes to the symbol's ticks and registers its reminder.
        await book.AddAsync("AAPL", 100m);
        await PublishTradeAsync(ticks, 101m);
        var heard = await Eventually.WaitAsync(alert.GetAsync, a => a.LastPrice == 101m, "the alert to hear the trade");
        Assert.Equal(1, heard.Triggered);
        _time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.WaitAsync(alert.GetAsync, a => a.Checks == 1, "the reminder's first check");

        // The next silo reads the same storage and reminder table; nothing calls the alert, its reminder activates it.
        // Restarted between two ticks: a silo started on the very instant of a tick (a fake clock stands still) sends it
        // again, which reminders allow (at least once, handlers idempotent) and would count a check twice.
        // Then advanced to the next tick, not past it: the tick's call has a deadline (ResponseTimeout, 30 s) on the same
        // clock, and an advance that far withdraws the tick while it waits for the activation it started.
        _time.Advance(TimeSpan.FromSeconds(30));
        await cluster.RestartSiloAsync(Ct);
        _time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.WaitAsync(() => Task.FromResult(cluster.ActiveGrains()), active => active.Contains(GrainId.Create("sample-price-alert", "AAPL")),
            "the reminder to activate the alert in the next silo");

        // Its check ran, so its activation (and the subscription made there) is complete: a trade published while the
        // activation is still subscribing reaches nobody.
        await Eventually.WaitAsync(alert.GetAsync, a => a.Checks == 2, "the reminder's check in the next silo");
        await PublishTradeAsync(ticks, 102m);

        // The references and the stream taken before the restart reach the grains in the next silo.
        var after = await Eventually.WaitAsync(alert.GetAsync, a => a.LastPrice == 102m, "the reactivated alert to hear the trade");
        Assert.Equal(new PriceAlert("AAPL", 100m, 102m, 2, 2), after);
        Assert.Equal([after], await book.ListAsync());
    }

    public void Dispose() => _storage.Dispose();

    // Instances, not factories: the silo a restart starts finds the same clock, storage and reminder table.
    private void ConfigureSilo(ISiloBuilder silo)
    {
        silo.AddGrains(typeof(PriceAlertGrain).Assembly)
            .AddJsonSerializerContext(SampleJsonContext.Default)
            .AddMemoryStreams(StreamNames.MemoryProvider);
        silo.Services.AddSingleton<TimeProvider>(_time)
            .AddSingleton<IReminderTable>(_reminders)
            .AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, _storage);
    }

    private Task PublishTradeAsync(IAsyncStream<MarketTick> ticks, decimal price) =>
        ticks.OnNextAsync(new MarketTick(new TradeTick(ticks.StreamId.Key, _time.GetUtcNow(), price, 10m), null));
}
