namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class SqliteReminderTableContractTests(SqliteFileFixture fixture) : ReminderTableContractTests, IClassFixture<SqliteFileFixture>
{
    protected override async Task<IReminderTable> OpenTableAsync()
    {
        var table = new SqliteReminderTable(fixture.Open());
        await table.InitializeAsync(TestContext.Current.CancellationToken);
        return table;
    }
}
