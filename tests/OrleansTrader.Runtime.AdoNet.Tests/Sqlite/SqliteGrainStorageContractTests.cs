namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class SqliteGrainStorageContractTests(SqliteFileFixture fixture) : GrainStorageContractTests, IClassFixture<SqliteFileFixture>
{
    protected override async Task<IGrainStorage> CreateStorageAsync()
    {
        var storage = new SqliteGrainStorage(fixture.Open(), TestJsonSerializer.Instance);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        return storage;
    }

    protected override async Task<long> CountRowsAsync(IGrainStorage storage, GrainId grain)
    {
        await using var connection = await fixture.Open().OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM grain_state WHERE grain_type = @type AND grain_key = @key;";
        command.Parameters.AddWithValue("@type", grain.Type.Value);
        command.Parameters.AddWithValue("@key", grain.Key);
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
