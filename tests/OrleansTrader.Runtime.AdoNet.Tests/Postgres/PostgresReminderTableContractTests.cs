namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class PostgresReminderTableContractTests(PostgresDatabaseFixture fixture)
    : ReminderTableContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<IReminderTable> OpenTableAsync()
    {
        var table = new PostgresReminderTable(fixture.Open());
        await table.InitializeAsync(TestContext.Current.CancellationToken);
        return table;
    }
}
