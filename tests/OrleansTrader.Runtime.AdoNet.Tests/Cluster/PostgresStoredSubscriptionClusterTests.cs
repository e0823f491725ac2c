using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class PostgresStoredSubscriptionClusterTests(PostgresDatabaseFixture fixture)
    : StoredSubscriptionClusterTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override void AddStreamLog(ISiloBuilder silo)
    {
        var connectionString = fixture.ConnectionString;
        silo.AddPostgresStreamLog("durable", o => o.ConnectionString = connectionString);
    }

    protected override IDurableStreamLog GetLog(IServiceProvider services) => services.GetRequiredKeyedService<PostgresDurableStreamLog>("durable");
}
