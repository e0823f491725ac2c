using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Benchmarks.Trading;

/// <summary>A one-silo cluster with the trading grains on memory or SQLite storage.</summary>
internal static class TradingBenchCluster
{
    public static async Task<TestCluster> StartAsync(string? sqlitePath, bool forwardToPaper = true, int memoryQueueCapacity = 1 << 20)
    {
        var cluster = new TestClusterBuilder().AddSiloBuilderConfigurator(silo =>
        {
            if (sqlitePath is null)
            {
                silo.AddMemoryGrainStorageAsDefault();
                var log = new MemoryDurableStreamLog();
                silo.AddDurableStreams(StreamNames.DurableProvider, _ => log);
                silo.UseInMemoryReminderService();
            }
            else
            {
                silo.AddSqliteGrainStorage(GrainStorageNames.Default, o => o.DataSource = sqlitePath);
                silo.AddSqliteStreamLog("durable-log", o => o.DataSource = sqlitePath);
                silo.AddDurableStreams(StreamNames.DurableProvider, sp => sp.GetRequiredKeyedService<IDurableStreamLog>("durable-log"));
                silo.UseSqliteReminderService(o => o.DataSource = sqlitePath);
            }

            silo.AddMemoryStreams(StreamNames.MemoryProvider, o => o.QueueCapacity = memoryQueueCapacity);
            silo.AddTradingGrains(o => o.PaperExchange = p => p.Retention = TimeSpan.FromMinutes(1));
            silo.Configure<OrleansTrader.Grains.Symbols.SymbolGrainOptions>(o => o.ForwardToPaperExchange = forwardToPaper);
        }).Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
