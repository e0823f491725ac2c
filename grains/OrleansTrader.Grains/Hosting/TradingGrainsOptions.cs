using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Instruments;

namespace OrleansTrader.Grains.Hosting;

/// <summary>What <see cref="TradingSiloBuilderExtensions.AddTradingGrains"/> wires: the calendar, the instruments and the paper venue.</summary>
public sealed class TradingGrainsOptions
{
    /// <summary>The session the risk checks and the paper venue follow (the simulated always-open session by default).</summary>
    public ITradingCalendar Calendar { get; set; } = AlwaysOpenCalendar.Instance;

    /// <summary>The hours the market data feed delivers in: stale data is judged only then (<see cref="Hosting.FeedHours"/>).</summary>
    public FeedHours FeedHours { get; set; } = FeedHours.ExtendedSession;

    public IList<Instrument> Instruments { get; } = [];

    /// <summary>Trade well-formed symbols missing from <see cref="Instruments"/> as default US equities.</summary>
    public bool AcceptUnlistedSymbols { get; set; } = true;

    /// <summary>
    /// Further paper venue settings (latencies, fill model, retention). The venue's calendar, instruments and unlisted-symbol
    /// rule come from the properties above; a callback that sets them otherwise stops startup.
    /// </summary>
    public Action<PaperExchangeOptions>? PaperExchange { get; set; }
}
