using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Alpaca;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Abstractions.Storage;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.ApiKeys;
using OrleansTrader.Grains.Brokers.Alpaca;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Symbols;
using OrleansTrader.Grains.Webhooks;
using OrleansTrader.MarketData;
using OrleansTrader.MarketData.Alpaca;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Hosting;
using OrleansTrader.MarketData.Validation;
using OrleansTrader.MarketData.Synthetic;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Grains.Hosting;

/// <summary>The whole trading silo from configuration; with none, the embedded default (SQLite, synthetic feed, demo).</summary>
public static class TradingHostExtensions
{
    /// <summary>The readiness tag the storage, feed and silo checks carry.</summary>
    public const string ReadyTag = AdoNetSiloBuilderExtensions.ReadyTag;

    private const string DurableLog = "durable-log";

    /// <summary>How the store format check names a PostgreSQL store (the connection string holds a password).</summary>
    private const string PostgresStore = "PostgreSQL, Storage:ConnectionString";

    private static readonly (string Symbol, decimal Price)[] DefaultSymbols =
        [("SPY", 450m), ("AAPL", 190m), ("MSFT", 410m), ("BAC", 35m), ("IBM", 160m)];

    /// <summary>
    /// On PostgreSQL, checks the store's format before the silo asks the running one for the database (reading only): a build
    /// the store's format refuses then stops at once, and the running silo goes on. Call it before the silo's lease is
    /// added; <see cref="AddOrleansTrader"/> checks again, and records the format, once the lease is held.
    /// </summary>
    public static IHostApplicationBuilder AddStoreFormatCheckBeforeHandover(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Read<StorageSettings>(builder.Configuration, StorageSettings.SectionName).Provider == "postgres")
        {
            AddStoreFormatCheck(builder.Services, PostgresStore, beforeTheLock: true);
        }

        return builder;
    }

    // Not AddHostedService, which adds one service of a type: the check before the handover would drop the one after it.
    private static void AddStoreFormatCheck(IServiceCollection services, string store, bool beforeTheLock) =>
        services.AddSingleton<IHostedService>(sp => new StoreFormatCheck(
            sp.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default), store, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<StoreFormatCheck>>(), beforeTheLock));

    public static IHostApplicationBuilder AddOrleansTrader(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var config = builder.Configuration;
        UnknownSettings.ThrowIfAny(FindUnknownSettings(config));
        var storage = Read<StorageSettings>(config, StorageSettings.SectionName);
        var feed = Read<FeedSettings>(config, FeedSettings.SectionName);
        var calendar = Read<CalendarSettings>(config, CalendarSettings.SectionName);
        MarketFollowsTheBroker(config, feed, calendar);
        var demo = Read<DemoSettings>(config, DemoSettings.SectionName);
        var streams = Read<StreamSettings>(config, StreamSettings.SectionName);

        // The grains' and the venue's tuning, checked now as the settings above are, so a bad value stops the builder with
        // its validator's message. Left to the host's start alone (ValidateOnStart, which stays), the failure raced the
        // start's disposal of the host, and an in-process test host sometimes saw an ObjectDisposedException instead.
        var grainOptions = new GrainOptionsValidator();
        CheckNow<AccountGrainOptions>(config, AccountGrainOptions.SectionName, grainOptions);
        CheckNow<SymbolGrainOptions>(config, SymbolGrainOptions.SectionName, grainOptions);
        CheckNow<BacktestFilesOptions>(config, BacktestFilesOptions.SectionName, grainOptions);
        CheckNow<WebhookOptions>(config, WebhookOptions.SectionName, grainOptions);
        CheckNow<ApiKeyRegistryOptions>(config, ApiKeyRegistryOptions.SectionName, grainOptions);
        CheckNow<PaperExchangeOptions>(config, PaperExchangeOptions.SectionName, new PaperExchangeOptionsValidator());
        var services = builder.Services;
        services.AddSingleton(storage);
        services.AddSingleton(feed);
        services.AddSingleton(calendar);
        services.AddSingleton(demo);
        var symbols = feed.Symbols.Count > 0 ? [.. feed.Symbols] : DefaultSymbols.Select(s => s.Symbol).ToList();
        var tradingCalendar = calendar.Kind == "nyse" ? (ITradingCalendar)NyseCalendar.Instance : AlwaysOpenCalendar.Instance;
        CheckPaperExchangeFollowsTheAccounts(config, tradingCalendar);
        CheckAlpacaFeedHasSymbols(config, feed);

        // Stale data is judged only over the hours the feed delivers: IEX (Alpaca's default feed) is silent before 08:00
        // and after 17:00, and judged over the whole extended session it tripped every account to REDUCING twice a day.
        var feedHours = feed.Kind == "alpaca"
            ? FeedHours.ForAlpaca(config.GetSection(AlpacaMarketDataOptions.SectionName)[nameof(AlpacaMarketDataOptions.Feed)] ?? new AlpacaMarketDataOptions().Feed)
            : FeedHours.ExtendedSession;
        var sqlite = storage.Provider == "sqlite" ? SqliteDataFiles.In(storage.DataDirectory) : null;
        if (sqlite is not null)
        {
            // POST /api/backups: the one consistent way to copy the files of a running silo (docs/deployment.md).
            var backups = Path.GetFullPath(storage.BackupDirectory ?? Path.Combine(storage.DataDirectory, SqliteDataBackup.BackupsFolderName));
            services.AddSingleton<IDataBackup>(sp => new SqliteDataBackup(
                sqlite, backups, sp.GetRequiredService<TimeProvider>(), storage.BackupsKept,
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SqliteDataBackup>>()));
        }

        // Before the grain runtime and the paper venue, which read the store as they start: a store a newer build wrote is
        // refused before anything of it is read with this build's (older) records, or written back without what they lack.
        if (storage.Provider != "memory")
        {
            AddStoreFormatCheck(services, sqlite is not null ? $"SQLite {sqlite.State}" : PostgresStore, beforeTheLock: false);
        }

        builder.UseOrleansTraderSilo(silo =>
        {
            switch (storage.Provider)
            {
                case "postgres":
                    void Postgres(PostgresStorageOptions o)
                    {
                        o.ConnectionString = storage.ConnectionString;
                        o.CommandTimeout = storage.CommandTimeout;
                    }

                    silo.AddPostgresGrainStorage(GrainStorageNames.Default, Postgres);
                    silo.AddPostgresStreamLog(DurableLog, Postgres);
                    silo.UsePostgresReminderService(Postgres);
                    break;
                case "memory":
                    silo.AddMemoryGrainStorageAsDefault();
                    silo.Services.AddKeyedSingleton<IDurableStreamLog>(DurableLog, new MemoryDurableStreamLog());
                    silo.UseInMemoryReminderService();
                    break;
                default:
                    sqlite!.AddTo(silo, DurableLog);
                    break;
            }

            silo.AddDurableStreams(StreamNames.DurableProvider, sp => sp.GetRequiredKeyedService<IDurableStreamLog>(DurableLog), o =>
            {
                o.Retention = streams.Retention;
                o.TrimInterval = streams.TrimInterval;
            });
            silo.AddMemoryStreams(StreamNames.MemoryProvider, o => o.QueueCapacity = 16_384);
            silo.AddTradingGrains(o =>
            {
                o.Calendar = tradingCalendar;
                o.FeedHours = feedHours;
            });

            // The grains' and the venue's tuning, validated at startup; keys set here win over the defaults above.
            silo.Services.AddOptions<AccountGrainOptions>().Bind(config.GetSection(AccountGrainOptions.SectionName));
            silo.Services.AddOptions<SymbolGrainOptions>().Bind(config.GetSection(SymbolGrainOptions.SectionName));
            silo.Services.AddOptions<WebhookOptions>().Bind(config.GetSection(WebhookOptions.SectionName));
            silo.Services.AddOptions<ApiKeyRegistryOptions>().Bind(config.GetSection(ApiKeyRegistryOptions.SectionName));
            silo.Services.AddOptions<PaperExchangeOptions>().Bind(config.GetSection(PaperExchangeOptions.SectionName));
            silo.Services.AddOptions<BacktestFilesOptions>().Bind(config.GetSection(BacktestFilesOptions.SectionName)).PostConfigure(o =>
            {
                // A replay's folder is history a backtest can read too.
                if (string.IsNullOrWhiteSpace(o.DataPath) && feed.Kind == "replay")
                {
                    o.DataPath = feed.Path;
                }
            });
            silo.AddAlpacaTrading(config);
        });

        switch (feed.Kind)
        {
            case "synthetic":
                services.AddSyntheticFeed(o =>
                {
                    // Pacing and the tick interval are the feed's own defaults (paced, a tick a second), left to
                    // MarketData:Synthetic to change: set here, they overrode what a user configured there without a word.
                    // Silent while the calendar is closed, as a real feed is: no marks moving and no signals on a weekend.
                    o.Calendar = tradingCalendar;
                    foreach (var symbol in symbols)
                    {
                        var price = DefaultSymbols.FirstOrDefault(s => s.Symbol == symbol).Price;
                        o.Symbols.Add(new SyntheticSymbolOptions { Symbol = symbol, StartPrice = price > 0m ? price : 100m, Volatility = 0.6 });
                    }
                });
                break;
            case "replay":
                services.AddCsvReplayFeed(o =>
                {
                    o.DataPath = feed.Path ?? string.Empty;
                    o.SpeedFactor = feed.Speed;

                    // The symbol grains validate every feed's data with the same settings. Validated here as well, a price
                    // gap was re-anchored twice: the grain never saw the prints the replay had refused, and refused as many
                    // again of the new level.
                    o.Validate = false;
                    foreach (var symbol in feed.Symbols)
                    {
                        o.Symbols.Add(symbol);
                    }
                });
                break;
            case "alpaca":
                services.AddAlpacaMarketFeed(config, feed.Symbols);
                break;
        }

        if (feed.Kind != "none")
        {
            services.TryAddSingleton<MarketFeedPump>();
            services.AddHostedService(sp => sp.GetRequiredService<MarketFeedPump>());
            services.AddHealthChecks().Add(new HealthCheckRegistration("feed",
                sp => new FeedHealthCheck(sp.GetRequiredService<MarketFeedPump>(), sp.GetRequiredService<TimeProvider>(), TimeSpan.FromSeconds(feed.StaleAfterSeconds), tradingCalendar, feedHours),
                failureStatus: null, tags: [ReadyTag]));
        }

        if (demo.Enabled)
        {
            services.AddHostedService<DemoSeeder>();
        }

        // Known only when the feed lists its symbols (or is the synthetic one with its defaults): a warning, not a failure,
        // since a feed may well carry symbols no demo trades.
        // Alpaca's stream also subscribes to MarketData:Alpaca:Symbols: a demo symbol listed only there was warned about.
        List<string> fedSymbols = feed.Kind == "alpaca"
            ? [.. feed.Symbols.Concat(config.GetSection($"{AlpacaMarketDataOptions.SectionName}:{nameof(AlpacaMarketDataOptions.Symbols)}")
                .GetChildren().Select(child => child.Value).OfType<string>()).Distinct(StringComparer.Ordinal)]
            : symbols;
        var fedSymbolsKnown = feed.Kind != "none" && (fedSymbols.Count > 0 || feed.Kind == "synthetic");
        var demoSymbolNotFed = demo.Enabled && fedSymbolsKnown && !fedSymbols.Contains(demo.Symbol, StringComparer.Ordinal)
            ? new TradingStartupLog.DemoSymbolNotFed(demo.Symbol, string.Join(", ", fedSymbols))
            : null;

        // An "Alpaca" section makes its one account trade through Alpaca (AddAlpacaTrading); every other one is paper.
        var alpaca = config.GetSection(AlpacaOptions.SectionName);
        var brokers = alpaca.Exists()
            ? $"paper + alpaca ({(alpaca.GetValue<bool>(nameof(AlpacaOptions.Live)) ? "live" : "paper")}) for account {alpaca[nameof(AlpacaBindingOptions.AccountId)]}"
            : "paper";

        services.AddHostedService(sp => new TradingStartupLog(
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<TradingStartupLog>>(),
            sqlite is not null ? $"sqlite ({sqlite})" : storage.Provider == "postgres" ? "postgres" : "memory (lost on exit)",
            feed.Kind == "synthetic" ? $"synthetic ({string.Join(", ", symbols)}, one tick per second)" : feed.Kind == "replay" ? $"replay of {feed.Path} at speed {feed.Speed}" : feed.Kind == "alpaca" ? "alpaca (MarketData:Alpaca)" : "none",
            brokers,
            tradingCalendar is AlwaysOpenCalendar,
            demo.Enabled ? $"account {demo.AccountId}, SMA {demo.FastPeriod}/{demo.SlowPeriod} on {demo.Symbol}" : "off",
            demoSymbolNotFed));
        return builder;
    }

    /// <summary>
    /// The feed and the calendar an Alpaca account needs. With Alpaca keys and no Feed:Kind the synthetic feed priced the
    /// Alpaca account's risk checks and strategies with simulated prices; with Alpaca's real market data and no Calendar:Kind
    /// the always-open calendar judged the market's nightly silence as stale data (every account REDUCING each night) and
    /// rolled the accounts' days at UTC midnight. Unset, they now follow (Feed:Kind alpaca; Calendar:Kind nyse unless the
    /// feed is Alpaca's always-on test stream); set against each other, the start stops naming both.
    /// </summary>
    private static void MarketFollowsTheBroker(IConfiguration config, FeedSettings feed, CalendarSettings calendar)
    {
        var alpaca = config.GetSection(AlpacaOptions.SectionName);
        var alpacaBound = alpaca.Exists();
        if (alpacaBound && config[$"{FeedSettings.SectionName}:{nameof(FeedSettings.Kind)}"] is null)
        {
            feed.Kind = "alpaca";
        }

        var alpacaFeed = config[$"{AlpacaMarketDataOptions.SectionName}:{nameof(AlpacaMarketDataOptions.Feed)}"] ?? new AlpacaMarketDataOptions().Feed;
        var realMarket = feed.Kind == "alpaca" && alpacaFeed != "test";
        var calendarSet = config[$"{CalendarSettings.SectionName}:{nameof(CalendarSettings.Kind)}"] is not null;
        if (realMarket && !calendarSet)
        {
            calendar.Kind = "nyse";
        }

        var failures = new List<string>();
        if (alpacaBound && feed.Kind is "synthetic" or "replay")
        {
            failures.Add($"Alpaca:AccountId ({alpaca[nameof(AlpacaBindingOptions.AccountId)] ?? "unset"}) trades through Alpaca, but Feed:Kind is {feed.Kind}: "
                + $"its risk checks and strategies would price its orders with {(feed.Kind == "synthetic" ? "simulated" : "replayed")} prices. "
                + "Set Feed:Kind=alpaca (Alpaca's market data, read with the same keys; the default with Alpaca keys) or none.");
        }

        if (realMarket && calendar.Kind == "always-open")
        {
            failures.Add($"Feed:Kind=alpaca delivers the market's own data (MarketData:Alpaca:Feed={alpacaFeed}), silent outside its sessions, "
                + "but Calendar:Kind is always-open: every night and weekend that silence would trip every account to REDUCING and fail "
                + "readiness, and the accounts' days would roll at UTC midnight. Set Calendar:Kind=nyse (the default with this feed), "
                + "or MarketData:Alpaca:Feed=test for Alpaca's always-on test stream.");
        }

        UnknownSettings.ThrowIfAny(failures);
    }

    /// <summary>
    /// Refuses PaperExchange:Calendar, :Instruments and :AcceptUnlistedSymbols set otherwise than the accounts trade
    /// (<paramref name="calendar"/> from Calendar:Kind, no instrument list, unlisted symbols accepted). Bound over what
    /// AddTradingGrains gives the venue, they changed the venue alone: it opened, matched and expired DAY orders on one
    /// calendar while the accounts' pre-trade checks and trading days followed another, and it rejected symbols the
    /// accounts had accepted.
    /// </summary>
    private static void CheckPaperExchangeFollowsTheAccounts(IConfiguration config, ITradingCalendar calendar)
    {
        var accounts = new TradingGrainsOptions { Calendar = calendar };
        var section = config.GetSection(PaperExchangeOptions.SectionName);
        var paper = new PaperExchangeOptions();
        section.Bind(paper);
        var failures = new List<string>();
        var venueCalendar = TradingSiloBuilderExtensions.PaperCalendarFor(calendar);
        if (paper.Calendar != venueCalendar && section[nameof(PaperExchangeOptions.Calendar)] is not null)
        {
            failures.Add($"PaperExchange:Calendar is {paper.Calendar} but the accounts follow Calendar:Kind ({venueCalendar}): "
                + "set Calendar:Kind instead (always-open or nyse), which the accounts and the paper exchange both follow, "
                + "and remove PaperExchange:Calendar.");
        }

        if (section.GetSection(nameof(PaperExchangeOptions.Instruments)).GetChildren().Any())
        {
            failures.Add("PaperExchange:Instruments is not read by the accounts, which trade every well-formed symbol as a "
                + "standard whole-share US equity: remove PaperExchange:Instruments (the silo has no instrument list to set instead).");
        }

        if (paper.AcceptUnlistedSymbols != accounts.AcceptUnlistedSymbols)
        {
            failures.Add($"PaperExchange:AcceptUnlistedSymbols is {paper.AcceptUnlistedSymbols} but the accounts accept "
                + "unlisted symbols as standard US equities, so the paper exchange would reject orders the accounts accepted: "
                + "remove PaperExchange:AcceptUnlistedSymbols.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(PaperExchangeOptions.SectionName, typeof(PaperExchangeOptions), failures);
        }
    }

    /// <summary>
    /// Refuses Feed:Kind=alpaca with no symbol to subscribe to. Nothing in the silo subscribes the stream to a symbol later,
    /// so such a silo connected, subscribed to nothing and delivered no data: every quote stayed missing, and readiness
    /// turned unhealthy once the feed's hours began, naming no setting.
    /// </summary>
    private static void CheckAlpacaFeedHasSymbols(IConfiguration config, FeedSettings feed)
    {
        if (feed.Kind != "alpaca" || feed.Symbols.Count > 0)
        {
            return;
        }

        // Alpaca's test feed subscribes to its one symbol (FAKEPACA) when none is listed.
        var alpaca = config.GetSection(AlpacaMarketDataOptions.SectionName);
        if (alpaca.GetSection(nameof(AlpacaMarketDataOptions.Symbols)).GetChildren().Any()
            || alpaca[nameof(AlpacaMarketDataOptions.Feed)] == "test")
        {
            return;
        }

        throw new OptionsValidationException(FeedSettings.SectionName, typeof(FeedSettings),
            ["Feed:Symbols must list at least one symbol when Feed:Kind is alpaca (Feed__Symbols__0=SPY, ...): the stream "
                + "subscribes only to the symbols listed there and in MarketData:Alpaca:Symbols, and with none it delivers no data."]);
    }

    /// <summary>Binds a section over the options' defaults and runs <paramref name="validator"/> on it now.</summary>
    private static void CheckNow<T>(IConfiguration config, string section, IValidateOptions<T> validator)
        where T : class, new()
    {
        var value = new T();
        config.GetSection(section).Bind(value);
        var result = validator.Validate(Options.DefaultName, value);
        if (result.Failed)
        {
            throw new OptionsValidationException(section, typeof(T), result.Failures);
        }
    }

    /// <summary>
    /// One message per key that the silo's, the grains', the venue's, the market data's or Alpaca's sections have no setting
    /// for (<see cref="UnknownSettings"/>). <see cref="AddOrleansTrader"/> stops on any, all of them in one message.
    /// </summary>
    public static IReadOnlyList<string> FindUnknownSettings(IConfiguration config)
    {
        string[] trading = ["Accounts", "Symbols", "Webhooks", "ApiKeys"];
        string[] marketData = ["Csv", "Validation", "Synthetic", "Alpaca"];
        return
        [
            .. UnknownSettings.Find(config, StorageSettings.SectionName, typeof(StorageSettings)),
            .. UnknownSettings.Find(config, FeedSettings.SectionName, typeof(FeedSettings)),
            .. UnknownSettings.Find(config, CalendarSettings.SectionName, typeof(CalendarSettings)),
            .. UnknownSettings.Find(config, DemoSettings.SectionName, typeof(DemoSettings)),
            .. UnknownSettings.Find(config, StreamSettings.SectionName, typeof(StreamSettings)),
            .. UnknownSettings.FindOtherThan(config, "Trading", trading),
            .. UnknownSettings.Find(config, AccountGrainOptions.SectionName, typeof(AccountGrainOptions)),
            .. UnknownSettings.Find(config, SymbolGrainOptions.SectionName, typeof(SymbolGrainOptions)),
            .. UnknownSettings.Find(config, WebhookOptions.SectionName, typeof(WebhookOptions)),
            .. UnknownSettings.Find(config, ApiKeyRegistryOptions.SectionName, typeof(ApiKeyRegistryOptions)),
            .. UnknownSettings.FindOtherThan(config, "MarketData", marketData),
            .. UnknownSettings.Find(config, CsvReplayOptions.SectionName, typeof(CsvReplayOptions)),
            .. UnknownSettings.Find(config, TickValidatorOptions.SectionName, typeof(TickValidatorOptions)),
            .. UnknownSettings.Find(config, SyntheticFeedOptions.SectionName, typeof(SyntheticFeedOptions)),
            .. UnknownSettings.Find(config, AlpacaMarketDataOptions.SectionName, typeof(AlpacaMarketDataOptions)),
            .. UnknownSettings.Find(config, PaperExchangeOptions.SectionName, typeof(PaperExchangeOptions)),
            .. UnknownSettings.Find(config, BacktestFilesOptions.SectionName, typeof(BacktestFilesOptions)),
            .. UnknownSettings.Find(config, AlpacaOptions.SectionName, typeof(AlpacaOptions), typeof(AlpacaBindingOptions)),
        ];
    }

    /// <summary>
    /// Binds and validates a section now, so bad configuration stops startup with the validator's message (a key the
    /// section has no setting for stopped it before, <see cref="FindUnknownSettings"/>).
    /// </summary>
    private static T Read<T>(IConfiguration config, string section)
        where T : class, new()
    {
        var value = config.GetSection(section).Get<T>() ?? new T();
        var result = ((IValidateOptions<T>)(object)new TradingSettingsValidator()).Validate(null, value);
        return result.Failed
            ? throw new OptionsValidationException(section, typeof(T), result.Failures)
            : value;
    }
}
