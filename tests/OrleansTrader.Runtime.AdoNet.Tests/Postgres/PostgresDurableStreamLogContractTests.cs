namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class PostgresDurableStreamLogContractTests(PostgresDatabaseFixture fixture)
    : DurableStreamLogContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<IDurableStreamLog> OpenLogAsync()
    {
        var log = new PostgresDurableStreamLog(fixture.Open());
        await log.InitializeAsync(TestContext.Current.CancellationToken);
        return log;
    }
}
