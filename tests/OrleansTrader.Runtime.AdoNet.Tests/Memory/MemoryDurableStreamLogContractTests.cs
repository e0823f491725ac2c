namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>The runtime's in-memory stream log; "reopening" returns the same instance, as tests share one across silo restarts.</summary>
public sealed class MemoryDurableStreamLogContractTests : DurableStreamLogContractTests
{
    private readonly MemoryDurableStreamLog _log = new();

    protected override async Task<IDurableStreamLog> OpenLogAsync()
    {
        await _log.InitializeAsync(TestContext.Current.CancellationToken);
        return _log;
    }
}
