namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class PostgresGrainStorageContractTests(PostgresDatabaseFixture fixture)
    : GrainStorageContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<IGrainStorage> CreateStorageAsync()
    {
        var storage = new PostgresGrainStorage(fixture.Open(), TestJsonSerializer.Instance);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        return storage;
    }
}
