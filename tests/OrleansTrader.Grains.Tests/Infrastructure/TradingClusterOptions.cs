using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>How a test silo is built: storage, clock, calendar and instruments.</summary>
public sealed record TradingClusterOptions
{
    /// <summary>SQLite file for grain storage, reminders and the durable stream log; null keeps everything in memory.</summary>
    public string? SqlitePath { get; init; }

    /// <summary>PostgreSQL connection string (a per-test database); wins over <see cref="SqlitePath"/>.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>
    /// A data directory laid out as the silo's embedded default (<see cref="Hosting.SqliteDataFiles"/>: state and log in
    /// two files); wins over <see cref="SqlitePath"/>.
    /// </summary>
    public string? SqliteDataDirectory { get; init; }

    public TimeProvider? Time { get; init; }

    public ITradingCalendar Calendar { get; init; } = AlwaysOpenCalendar.Instance;

    /// <summary>Handed to <see cref="Hosting.TradingGrainsOptions.FeedHours"/>.</summary>
    public Hosting.FeedHours FeedHours { get; init; } = Hosting.FeedHours.ExtendedSession;

    public IReadOnlyList<Instrument> Instruments { get; init; } = [];

    public bool AcceptUnlistedSymbols { get; init; } = true;

    /// <summary>Handed to <see cref="Hosting.TradingGrainsOptions.PaperExchange"/>.</summary>
    public Action<OrleansTrader.Brokers.Paper.PaperExchangeOptions>? PaperExchange { get; init; }

    public int MemoryQueueCapacity { get; init; } = 65_536;

    /// <summary>Further silo configuration, applied after the trading grains (for example the Alpaca broker).</summary>
    public Action<ISiloBuilder>? ConfigureSilo { get; init; }
}
