using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

public sealed class DurabilityTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public Task Fills_AreNotDoubleCounted_WhenRedeliveredAfterRestart() =>
        StorageScenarios.FillsRedeliveredAfterARestart_CountOnceAsync(new TradingClusterOptions { SqlitePath = _dir.File("redeliver.db") });

    [Fact]
    public Task AcknowledgedOrdersAndFills_Survive_WhenSiloStopsMidLoad() =>
        StorageScenarios.AcknowledgedOrdersAndFills_SurviveAStopMidLoadAsync(new TradingClusterOptions { SqlitePath = _dir.File("midload.db") }, crash: false);

    // LESSONS 5 and 15: the silo killed under load (no deactivation, nothing flushed) on the default storage, not only on
    // PostgreSQL; positions must still be the sum of the fills, and the fills the venue's executions one to one.
    [Fact]
    public Task AcknowledgedOrdersAndFills_Survive_WhenSiloIsKilledMidLoad() =>
        StorageScenarios.AcknowledgedOrdersAndFills_SurviveAStopMidLoadAsync(new TradingClusterOptions { SqlitePath = _dir.File("killed.db") }, crash: true);
}
