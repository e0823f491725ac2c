using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Benchmarks.Trading;

/// <summary>
/// A one-silo cluster with the trading grains on memory storage, or on SQLite in a data directory laid out as the silo's
/// embedded default lays it out (<see cref="SqliteDataFiles"/>).
/// </summary>
internal static class TradingBenchCluster
{
    public static async Task<TestCluster> StartAsync(
        string? sqliteDirectory, bool forwardToPaper = true, int memoryQueueCapacity = 1 << 20, Action<ISiloBuilder>? configure = null)
    {
        var cluster = new TestClusterBuilder().AddSiloBuilderConfigurator(silo =>
        {
            if (sqliteDirectory is null)
            {
                silo.AddMemoryGrainStorageAsDefault();
                var log = new MemoryDurableStreamLog();
                silo.AddDurableStreams(StreamNames.DurableProvider, _ => log);
                silo.UseInMemoryReminderService();
            }
            else
            {
                SqliteDataFiles.In(sqliteDirectory).AddTo(silo, "durable-log");
                silo.AddDurableStreams(StreamNames.DurableProvider, sp => sp.GetRequiredKeyedService<IDurableStreamLog>("durable-log"));
            }

            silo.AddMemoryStreams(StreamNames.MemoryProvider, o => o.QueueCapacity = memoryQueueCapacity);
            silo.AddTradingGrains(o => o.PaperExchange = p => p.Retention = TimeSpan.FromMinutes(1));
            silo.Configure<OrleansTrader.Grains.Symbols.SymbolGrainOptions>(o => o.ForwardToPaperExchange = forwardToPaper);
            configure?.Invoke(silo);
        }).Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
