namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>The runtime's in-memory reminder table; "reopening" returns the same instance, as tests share one across silo restarts.</summary>
public sealed class MemoryReminderTableContractTests : ReminderTableContractTests
{
    private readonly MemoryReminderTable _table = new();

    protected override async Task<IReminderTable> OpenTableAsync()
    {
        await _table.InitializeAsync(TestContext.Current.CancellationToken);
        return _table;
    }
}
