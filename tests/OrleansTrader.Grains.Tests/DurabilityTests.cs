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
}
