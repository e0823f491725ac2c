using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// An account's signal tick runs every second: while it failed (the day it rolls could not be stored) it logged a warning
/// a second for as long as the failure lasted, one condition burying every other line. The first failure warns, the
/// repeats are at Debug, and the tick that goes through again says how many failed.
/// </summary>
public sealed class AccountSignalFailureLogTests
{
    [Fact]
    public async Task SignalTicksThatKeepFailing_WarnOnce_LogTheRepeatsAtDebug_AndTheCountWhenOneSucceeds()
    {
        // Ten seconds before midnight UTC: the tick after it rolls the day, and storing the day that ends fails.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 23, 59, 50, TimeSpan.Zero));
        var storage = new WriteFailingStorage("days");
        var logs = new CapturedLogs();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));

                // Debug kept, so that the repeats are seen to be logged at their level, not merely filtered out.
                silo.Services.AddSingleton<ILoggerProvider>(logs).AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
            },
        });
        await TestAccounts.OpenAsync(cluster, "signal-streak", 10_000m);
        storage.FailAll = true;
        var lines = await FailingStreakLogs.FailThenRecoverAsync(time, storage, logs, Lines, 5022, "signal ticks");
        var failures = lines.Count - 1;
        string[] expected = ["5011 Warning", .. Enumerable.Repeat("5021 Debug", failures - 1), "5022 Information"];
        Assert.Equal(expected, lines.Select(e => $"{e.EventId.Id} {e.Level}"));
        Assert.Contains("The disk is full (test).", lines[0].Text, StringComparison.Ordinal);
        Assert.Contains($"Breaker signals of account signal-streak reported again, after {failures} failed attempts over ", lines[^1].Text, StringComparison.Ordinal);
    }

    private static List<(string Category, LogLevel Level, EventId EventId, string Text)> Lines(CapturedLogs logs) =>
        [.. logs.Entries.Where(e => e.EventId.Id is 5011 or 5021 or 5022 && e.Text.Contains("AccountId=signal-streak;", StringComparison.Ordinal))];
}
