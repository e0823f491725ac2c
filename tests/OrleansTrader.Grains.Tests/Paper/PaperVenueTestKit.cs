using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>What the venue-over-grain-storage tests share: one account, where its records live, a started exchange.</summary>
internal static class PaperVenueTestKit
{
    public const string AccountId = "acct-1";

    /// <summary>Tuesday 2026-03-10 10:00 in New York: a regular NYSE session.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 10, 14, 0, 0, TimeSpan.Zero);

    public static readonly GrainId VenueId = GrainId.Create("paper-venue", AccountId);

    public static readonly GrainId ArchiveId = GrainId.Create("paper-venue-archive", AccountId);

    /// <summary>
    /// The deltas between the account's first checkpoint and its second: its run up to its own checkpoint slot (each later
    /// run is a whole ring).
    /// </summary>
    public static readonly int FirstRunDeltas = PaperVenueJournal.CheckpointSlotOf(AccountId) is var slot and > 0 ? slot : PaperVenueJournal.Slots;

    /// <summary>A started exchange on <paramref name="store"/> with a two-sided AAPL quote, so market orders fill.</summary>
    public static async Task<PaperExchange> StartAsync(IPaperVenueStore store, TimeProvider time, Action<PaperExchangeOptions>? configure = null)
    {
        var options = new PaperExchangeOptions();
        configure?.Invoke(options);
        var exchange = new PaperExchange(Options.Create(options), store, time, NullLogger<PaperExchange>.Instance);
        await exchange.StartAsync(TestContext.Current.CancellationToken);
        await exchange.UpdateQuoteAsync(new QuoteTick("AAPL", time.GetUtcNow(), 100m, 1_000_000m, 100.05m, 1_000_000m), TestContext.Current.CancellationToken);
        return exchange;
    }

    public static OrderRequest MarketBuy(int i) => new()
    {
        ClientOrderId = "c-" + i.ToString(CultureInfo.InvariantCulture),
        Symbol = "AAPL",
        Side = OrderSide.Buy,
        Type = OrderType.Market,
        Quantity = 1m,
    };
}
