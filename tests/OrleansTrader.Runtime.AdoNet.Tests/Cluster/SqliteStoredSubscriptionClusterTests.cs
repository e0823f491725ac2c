using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class SqliteStoredSubscriptionClusterTests(SqliteFileFixture fixture)
    : StoredSubscriptionClusterTests, IClassFixture<SqliteFileFixture>
{
    protected override void AddStreamLog(ISiloBuilder silo) => silo.AddSqliteStreamLog("durable", o => o.DataSource = fixture.FilePath);

    protected override IDurableStreamLog GetLog(IServiceProvider services) => services.GetRequiredKeyedService<SqliteDurableStreamLog>("durable");
}
