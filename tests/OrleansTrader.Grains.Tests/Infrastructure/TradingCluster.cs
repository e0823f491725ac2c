using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Symbols;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>A one-silo test cluster with the trading grains, the paper exchange and the chosen storage.</summary>
public sealed class TradingCluster : IAsyncDisposable
{
    private readonly MemoryDurableStreamLog _memoryLog = new();
    private readonly MemoryReminderTable _reminders = new();

    public TradingCluster(TradingClusterOptions options)
    {
        Options = options;
        Cluster = new TestClusterBuilder().AddSiloBuilderConfigurator(Configure).Build();
    }

    public TradingClusterOptions Options { get; }

    public TestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.GrainFactory;

    public static async Task<TradingCluster> StartAsync(TradingClusterOptions options)
    {
        var cluster = new TradingCluster(options);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        return cluster;
    }

    public IAccountGrain Account(string id) => Grains.GetGrain<IAccountGrain>(id);

    public ISymbolGrain Symbol(string symbol) => Grains.GetGrain<ISymbolGrain>(symbol);

    public IBreakerGrain Breaker(string id) => Grains.GetGrain<IBreakerGrain>(id);

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();

    private void Configure(ISiloBuilder silo)
    {
        if (Options.Time is { } time)
        {
            silo.Services.AddSingleton(time);
        }

        if (Options.PostgresConnectionString is { } pg)
        {
            silo.AddPostgresGrainStorage(GrainStorageNames.Default, o => o.ConnectionString = pg);
            silo.AddPostgresStreamLog("durable-log", o => o.ConnectionString = pg);
            silo.AddDurableStreams(StreamNames.DurableProvider, sp => sp.GetRequiredKeyedService<IDurableStreamLog>("durable-log"), Durable);
            silo.UsePostgresReminderService(o => o.ConnectionString = pg);
        }
        else if (Options.SqliteDataDirectory is { } directory)
        {
            SqliteDataFiles.In(directory).AddTo(silo, "durable-log");
            silo.AddDurableStreams(StreamNames.DurableProvider, sp => sp.GetRequiredKeyedService<IDurableStreamLog>("durable-log"), Durable);
        }
        else if (Options.SqlitePath is { } path)
        {
            silo.AddSqliteGrainStorage(GrainStorageNames.Default, o => o.DataSource = path);
            silo.AddSqliteStreamLog("durable-log", o => o.DataSource = path);
            silo.AddDurableStreams(StreamNames.DurableProvider, sp => sp.GetRequiredKeyedService<IDurableStreamLog>("durable-log"), Durable);
            silo.UseSqliteReminderService(o => o.DataSource = path);
        }
        else
        {
            silo.AddMemoryGrainStorageAsDefault();
            silo.AddDurableStreams(StreamNames.DurableProvider, _ => _memoryLog, Durable);
            silo.Services.AddSingleton<IReminderTable>(_reminders);
        }

        silo.AddMemoryStreams(StreamNames.MemoryProvider, o => o.QueueCapacity = Options.MemoryQueueCapacity);
        silo.AddTradingGrains(o =>
        {
            o.Calendar = Options.Calendar;
            o.FeedHours = Options.FeedHours;
            o.AcceptUnlistedSymbols = Options.AcceptUnlistedSymbols;
            o.PaperExchange = Options.PaperExchange;
            foreach (var instrument in Options.Instruments)
            {
                o.Instruments.Add(instrument);
            }
        });
        if (Options.Time is null)
        {
            // On the system clock a test that stamps trades "now" and runs across a minute's end would see that minute's
            // bar closed by the clock, one bar more than it sent; tests of the clock's close use a fake clock.
            silo.Services.Configure<SymbolGrainOptions>(o => o.BarCloseDelay = TimeSpan.FromDays(1));
        }

        Options.ConfigureSilo?.Invoke(silo);
    }

    private static void Durable(DurableStreamOptions options)
    {
        options.RetryDelay = TimeSpan.FromMilliseconds(20);
        options.PollInterval = TimeSpan.FromMilliseconds(200);
    }
}
