using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A symbol's last trade and quote outlive its activation: collected while the feed is silent (a weekend) or restarted,
/// the symbol grain still quotes the last session, so a weekend order is accepted against it and held positions keep a
/// mark. Restored data is not data received: the symbol stays stale, the paper venue never sees it, an old restored quote
/// is still QUOTE_STALE in the session, and the feed's next tick replaces it.
/// </summary>
public sealed class SymbolDataPersistenceTests : IDisposable
{
    private static readonly DateOnly Friday = new(2026, 3, 6);
    private static readonly DateOnly Saturday = new(2026, 3, 7);
    private static readonly DateOnly Monday = new(2026, 3, 9);
    private static readonly Domain.Risk.RiskLimits Limits = TestAccounts.Loose with { RequireMarketOpen = false };
    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    private static DateTimeOffset NewYork(DateOnly date, int hour, int minute, int second = 0) =>
        NyseCalendar.ToUtc(date, new TimeOnly(hour, minute, second));

    private Task<TradingCluster> StartAsync(FakeTimeProvider time, string name) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        Time = time, Calendar = NyseCalendar.Instance, SqlitePath = _dir.File(name + ".db"),
    });

    private static Task<TradingCluster> StartAsync(FakeTimeProvider time, CountingStorage storage) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        Time = time,
        Calendar = NyseCalendar.Instance,
        ConfigureSilo = silo => silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp)),
    });

    [Fact]
    public async Task FridaysQuote_SurvivesARestart_AndASaturdayGtcLimitBuyIsAcceptedAgainstIt()
    {
        var time = new FakeTimeProvider(NewYork(Friday, 15, 59, 50));
        await using var cluster = await StartAsync(time, "weekend");
        var account = await TestAccounts.OpenAsync(cluster, "weekend-restart", 10_000m, Limits);
        await Market.QuoteAsync(cluster, "WKR", 99.9m, 100m);
        await Market.TradeAsync(cluster, "WKR", 99.95m);

        time.Advance(NewYork(Saturday, 10, 0) - time.GetUtcNow());
        await cluster.Cluster.RestartSiloAsync(Ct);

        var quote = await cluster.Symbol("WKR").GetQuoteAsync();
        Assert.Equal((99.9m, 100m, NewYork(Friday, 15, 59, 50)), (quote.LastQuote?.BidPrice, quote.LastQuote?.AskPrice, quote.LastQuote?.Timestamp));
        Assert.Equal(99.95m, quote.LastTrade?.Price);

        account = cluster.Account("weekend-restart");
        var placed = await account.PlaceOrderAsync(Market.Limit("wr-1", "WKR", OrderSide.Buy, 10m, 99m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync("wr-1"), o => o?.Status == OrderStatus.Accepted, "accepted");
    }

    // The feed is silent for 15 minutes and more: the symbol grain is collected as idle, and its next activation (an order,
    // an account's marks) reads the last trade and quote back.
    [Fact]
    public async Task AnIdleSymbolGrain_IsCollected_AndItsNextActivationHasTheLastTradeAndQuote()
    {
        var time = new FakeTimeProvider(NewYork(Friday, 15, 59, 50));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, Calendar = NyseCalendar.Instance });
        await Market.QuoteAsync(cluster, "IDL", 49.9m, 50m);
        await Market.TradeAsync(cluster, "IDL", 49.95m);

        // The counters are not kept: none counted means a new activation.
        await Eventually.WaitAsync(async () =>
        {
            await AccountSteps.IdleAsync(time, TimeSpan.FromMinutes(16));
            return await cluster.Symbol("IDL").GetStatsAsync();
        }, s => s.AcceptedQuotes == 0, "the idle symbol collected");

        var quote = await cluster.Symbol("IDL").GetQuoteAsync();
        Assert.Equal((49.9m, 50m), (quote.LastQuote?.BidPrice, quote.LastQuote?.AskPrice));
        Assert.Equal(49.95m, quote.LastTrade?.Price);
    }

    // The last periodic write is what a crash leaves (no deactivation runs).
    [Fact]
    public async Task AfterACrash_TheLastTradeAndQuoteOfThePeriodicWriteAreRestored()
    {
        var time = new FakeTimeProvider(NewYork(Monday, 10, 0));
        var storage = new CountingStorage("symbol");
        await using var cluster = await StartAsync(time, storage);
        await Market.QuoteAsync(cluster, "CRS", 19.9m, 20m);

        // The write comes on the persist timer (60 s), the clock staying well within the collection age.
        await Eventually.WaitAsync(() => Task.FromResult(storage.Written), n => n >= 1, "the periodic write", tick: () => time.Advance(TimeSpan.FromSeconds(61)));
        await cluster.Cluster.KillAndRestartSiloAsync(Ct);

        var quote = await cluster.Symbol("CRS").GetQuoteAsync();
        Assert.Equal((19.9m, 20m), (quote.LastQuote?.BidPrice, quote.LastQuote?.AskPrice));
    }

    [Fact]
    public async Task AFailedWrite_DoesNotFailIngestion_AndIsTriedAgainAtTheNextInterval()
    {
        var time = new FakeTimeProvider(NewYork(Monday, 10, 0));
        var storage = new CountingStorage("symbol") { FailNext = true };
        await using var cluster = await StartAsync(time, storage);
        await Market.QuoteAsync(cluster, "FLW", 9.9m, 10m);
        await Eventually.WaitAsync(() => Task.FromResult(storage.Failed), n => n == 1, "the failed write", tick: () => time.Advance(TimeSpan.FromSeconds(61)));

        // Ingestion goes on; the quote the failed write held is written at a later interval.
        var written = storage.Written;
        await Market.QuoteAsync(cluster, "FLW", 9.95m, 10.05m);
        Assert.Equal(written, storage.Written);
        await Eventually.WaitAsync(() => Task.FromResult(storage.Written), n => n > written, "the next write", tick: () => time.Advance(TimeSpan.FromSeconds(61)));
        await cluster.Cluster.KillAndRestartSiloAsync(Ct);

        var quote = await cluster.Symbol("FLW").GetQuoteAsync();
        Assert.Equal((9.95m, 10.05m), (quote.LastQuote?.BidPrice, quote.LastQuote?.AskPrice));
    }

    // Restored is not received: the symbol reports itself stale with no tick received and nothing counted, and in the
    // session an order on the restored hours-old quote is QUOTE_STALE (not QUOTE_MISSING, not accepted).
    [Fact]
    public async Task ARestoredQuote_IsNotFreshData_AndAnHoursOldOneIsQuoteStaleInTheSession()
    {
        var time = new FakeTimeProvider(NewYork(Monday, 10, 0));
        await using var cluster = await StartAsync(time, "stale");
        var account = await TestAccounts.OpenAsync(cluster, "restored-stale", 10_000m, Limits);
        await Market.QuoteAsync(cluster, "RST", 99.9m, 100m);

        time.Advance(TimeSpan.FromHours(3));
        await cluster.Cluster.RestartSiloAsync(Ct);

        var quote = await cluster.Symbol("RST").GetQuoteAsync();
        Assert.Equal(100m, quote.LastQuote?.AskPrice);
        Assert.True(quote.IsStale);
        Assert.Null(quote.LastReceivedAt);
        var stats = await cluster.Symbol("RST").GetStatsAsync();
        Assert.Equal((0, 0), (stats.AcceptedTrades, stats.AcceptedQuotes));

        account = cluster.Account("restored-stale");
        var denied = await account.PlaceOrderAsync(Market.Limit("rs-1", "RST", OrderSide.Buy, 10m, 99m));
        Assert.Equal(Domain.Risk.RiskReasonCodes.QuoteStale, denied.Denial?.ReasonCode);
    }

    // The paper venue's book is not kept across a restart: a restored quote (fresh enough to admit the order) must not be
    // handed to it as a new quote, or the market order would fill at it; it fills at the feed's next quote.
    [Fact]
    public async Task ARestoredQuote_NeverReachesThePaperVenue_AMarketOrderFillsAtTheFeedsNextQuote()
    {
        var time = new FakeTimeProvider(NewYork(Monday, 10, 0));
        await using var cluster = await StartAsync(time, "venue");
        var account = await TestAccounts.OpenAsync(cluster, "restored-venue", 10_000m, TestAccounts.Loose);
        await Market.QuoteAsync(cluster, "RVN", 99.9m, 100m);

        time.Advance(TimeSpan.FromSeconds(1));
        await cluster.Cluster.RestartSiloAsync(Ct);
        account = cluster.Account("restored-venue");
        var placed = await account.PlaceOrderAsync(Market.MarketOrder("rv-1", "RVN", OrderSide.Buy, 10m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync("rv-1"), o => o?.Status is OrderStatus.Accepted or OrderStatus.Filled, "at the venue");

        time.Advance(TimeSpan.FromSeconds(1));
        await Market.QuoteAsync(cluster, "RVN", 100.4m, 100.5m);

        var fills = await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the fill at the next quote");
        Assert.Equal((10m, 100.5m), (fills[0].Quantity, fills[0].Price));
    }

    // The feed's first tick after a restore is the last one, even stamped before the restored one (a replay run after a
    // live session must not keep showing the live quote); with it the symbol is fresh again.
    [Fact]
    public async Task TheFeedsNextQuote_ReplacesTheRestoredOne_AndTheSymbolIsFreshAgain()
    {
        var time = new FakeTimeProvider(NewYork(Friday, 15, 59, 50));
        await using var cluster = await StartAsync(time, "replace");
        await Market.QuoteAsync(cluster, "RPL", 99.9m, 100m);
        await Market.TradeAsync(cluster, "RPL", 99.95m);

        time.Advance(NewYork(Monday, 9, 30, 1) - time.GetUtcNow());
        await cluster.Cluster.RestartSiloAsync(Ct);
        await Market.QuoteAsync(cluster, "RPL", 101.9m, 102m);

        var quote = await cluster.Symbol("RPL").GetQuoteAsync();
        Assert.Equal((101.9m, 102m, time.GetUtcNow()), (quote.LastQuote?.BidPrice, quote.LastQuote?.AskPrice, quote.LastQuote?.Timestamp));
        Assert.Equal(99.95m, quote.LastTrade?.Price);
        Assert.False(quote.IsStale);
        Assert.Equal(time.GetUtcNow(), quote.LastReceivedAt);

        // A replayed print stamped last week replaces the restored trade too.
        var replayed = new TradeTick("RPL", NewYork(Friday.AddDays(-7), 11, 0), 80m, 100m);
        Assert.Equal(1, (await cluster.Symbol("RPL").IngestAsync(new TickBatch { Trades = [replayed] })).Accepted);
        Assert.Equal(80m, (await cluster.Symbol("RPL").GetQuoteAsync()).LastTrade?.Price);
    }

    // A venue's cancel or correction comes alone in its batch, after the last trade was written: the write on deactivation
    // must hold the amended last trade, or the restart restores the busted print as the symbol's last trade (and mark).
    [Fact]
    public async Task ACancelOrCorrectionOfTheSavedLastTrade_IsSaved_AndTheRestartRestoresTheAmendedTrade()
    {
        var time = new FakeTimeProvider(NewYork(Monday, 10, 0));
        var storage = new CountingStorage("symbol");
        await using var cluster = await StartAsync(time, storage);
        var now = time.GetUtcNow();
        Assert.Equal(2, (await cluster.Symbol("AMS").IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("AMS", now, 40m, 100m, "P", SourceId: 1), new TradeTick("AMS", now, 40.5m, 100m, "P", SourceId: 2)],
        })).Accepted);
        Assert.Equal(1, (await cluster.Symbol("AMC").IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("AMC", now, 30m, 100m, "P", SourceId: 5)],
        })).Accepted);
        await Eventually.WaitAsync(() => Task.FromResult(storage.Written), n => n >= 2, "the periodic writes", tick: () => time.Advance(TimeSpan.FromSeconds(61)));

        await cluster.Symbol("AMS").IngestAsync(new TickBatch { Amendments = [new TradeAmendment { Symbol = "AMS", TradeId = 2, TradesBefore = 0 }] });
        var corrected = new TradeTick("AMC", now, 30.25m, 100m, "P", SourceId: 6);
        await cluster.Symbol("AMC").IngestAsync(new TickBatch { Amendments = [new TradeAmendment { Symbol = "AMC", TradeId = 5, Corrected = corrected, TradesBefore = 0 }] });
        await cluster.Cluster.RestartSiloAsync(Ct);

        Assert.Equal(40m, (await cluster.Symbol("AMS").GetQuoteAsync()).LastTrade?.Price);
        Assert.Equal(30.25m, (await cluster.Symbol("AMC").GetQuoteAsync()).LastTrade?.Price);
    }

    // A late cancel or correction (after the close, once the grain was collected, or after a restart) finds its print only
    // as the restored last trade: it amends that, and the amendment is saved, rather than leaving the busted print as the
    // weekend's last trade and mark.
    [Fact]
    public async Task ACancelOrCorrectionOfTheRestoredLastTrade_AmendsIt_AndIsSaved()
    {
        var time = new FakeTimeProvider(NewYork(Friday, 19, 59));
        await using var cluster = await StartAsync(time, "late-amend");
        var printed = time.GetUtcNow();
        Assert.Equal(1, (await cluster.Symbol("LCX").IngestAsync(new TickBatch { Trades = [new TradeTick("LCX", printed, 50m, 100m, "P", SourceId: 9)] })).Accepted);
        Assert.Equal(1, (await cluster.Symbol("LCR").IngestAsync(new TickBatch { Trades = [new TradeTick("LCR", printed, 60m, 100m, "P", SourceId: 11)] })).Accepted);
        time.Advance(TimeSpan.FromMinutes(30));
        await cluster.Cluster.RestartSiloAsync(Ct);

        var cancel = await cluster.Symbol("LCX").IngestAsync(new TickBatch { Amendments = [new TradeAmendment { Symbol = "LCX", TradeId = 9, Exchange = "P", TradesBefore = 0 }] });
        var correction = new TradeTick("LCR", time.GetUtcNow(), 60.5m, 100m, "P", SourceId: 12);
        var correct = await cluster.Symbol("LCR").IngestAsync(new TickBatch { Amendments = [new TradeAmendment { Symbol = "LCR", TradeId = 11, Exchange = "P", Corrected = correction, TradesBefore = 0 }] });

        Assert.Equal((1, 1), (cancel.Accepted, correct.Accepted));
        Assert.Null((await cluster.Symbol("LCX").GetQuoteAsync()).LastTrade);
        var corrected = (await cluster.Symbol("LCR").GetQuoteAsync()).LastTrade;
        Assert.Equal((60.5m, printed), (corrected?.Price, corrected?.Timestamp));

        await cluster.Cluster.RestartSiloAsync(Ct);
        Assert.Null((await cluster.Symbol("LCX").GetQuoteAsync()).LastTrade);
        Assert.Equal(60.5m, (await cluster.Symbol("LCR").GetQuoteAsync()).LastTrade?.Price);
    }

    /// <summary>The default (memory) storage, counting one record name's writes and failing the next one when told to.</summary>
    private sealed class CountingStorage(string record) : IGrainStorage
    {
        private IGrainStorage? _inner;
        private int _failed;
        private int _written;

        public volatile bool FailNext;

        public int Failed => Volatile.Read(ref _failed);

        public int Written => Volatile.Read(ref _written);

        public IGrainStorage Over(IServiceProvider services)
        {
            _inner ??= new MemoryGrainStorage(services.GetRequiredService<IGrainStateSerializer>());
            return this;
        }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            _inner!.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        {
            if (stateName == record && FailNext)
            {
                FailNext = false;
                Interlocked.Increment(ref _failed);
                throw new IOException("The disk is full (test).");
            }

            await _inner!.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
            if (stateName == record)
            {
                Interlocked.Increment(ref _written);
            }
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            _inner!.ClearStateAsync(stateName, grainId, grainState, cancellationToken);

        public Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            _inner!.DeleteStateAsync(stateName, grainId, grainState, cancellationToken);
    }
}
