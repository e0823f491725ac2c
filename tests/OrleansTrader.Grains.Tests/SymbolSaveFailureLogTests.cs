using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Grains.Symbols;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A symbol saves its last trade and quote every persist interval while they changed, and a failed save is tried again at
/// the next: while storage was down every symbol logged a warning per interval for as long as it lasted. The first failure
/// warns, the repeats are at Debug, and the save that goes through says how many failed.
/// </summary>
public sealed class SymbolSaveFailureLogTests
{
    [Fact]
    public async Task SavesThatKeepFailing_WarnOnce_LogTheRepeatsAtDebug_AndTheCountWhenOneSucceeds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        var storage = new WriteFailingStorage("symbol");
        var logs = new CapturedLogs();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                silo.Configure<SymbolGrainOptions>(o => o.PersistInterval = TimeSpan.FromSeconds(1));

                // Debug kept, so that the repeats are seen to be logged at their level, not merely filtered out.
                silo.Services.AddSingleton<ILoggerProvider>(logs).AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
            },
        });
        storage.FailAll = true;
        await Market.QuoteAsync(cluster, "SAVEF", 49.99m, 50.01m);

        var lines = await FailingStreakLogs.FailThenRecoverAsync(time, storage, logs, Lines, 5306, "saves");
        var failures = lines.Count - 1;
        string[] expected = ["5304 Warning", .. Enumerable.Repeat("5305 Debug", failures - 1), "5306 Information"];
        Assert.Equal(expected, lines.Select(e => $"{e.EventId.Id} {e.Level}"));
        Assert.Contains("The disk is full (test).", lines[0].Text, StringComparison.Ordinal);
        Assert.Contains($"Saved the last trade and quote of SAVEF again, after {failures} failed saves over ", lines[^1].Text, StringComparison.Ordinal);
    }

    private static List<(string Category, LogLevel Level, EventId EventId, string Text)> Lines(CapturedLogs logs) =>
        [.. logs.Entries.Where(e => e.EventId.Id is 5304 or 5305 or 5306 && e.Text.Contains("Symbol=SAVEF;", StringComparison.Ordinal))];
}
