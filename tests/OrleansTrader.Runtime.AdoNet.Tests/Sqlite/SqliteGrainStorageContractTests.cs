namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class SqliteGrainStorageContractTests(SqliteFileFixture fixture) : GrainStorageContractTests, IClassFixture<SqliteFileFixture>
{
    protected override async Task<IGrainStorage> CreateStorageAsync()
    {
        var storage = new SqliteGrainStorage(fixture.Open(), TestJsonSerializer.Instance);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        return storage;
    }
}
