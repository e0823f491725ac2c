namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class SqliteDurableStreamLogContractTests(SqliteFileFixture fixture) : DurableStreamLogContractTests, IClassFixture<SqliteFileFixture>
{
    protected override async Task<IDurableStreamLog> OpenLogAsync()
    {
        var log = new SqliteDurableStreamLog(fixture.Open());
        await log.InitializeAsync(TestContext.Current.CancellationToken);
        return log;
    }
}
