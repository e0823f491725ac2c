using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>
/// A call made every second that fails while <see cref="WriteFailingStorage.FailAll"/> is set (the caller sets it): moves
/// the clock until it failed at least five times, lets storage recover and moves the clock (ten seconds at most) until the
/// line saying it works again is logged.
/// </summary>
internal static class FailingStreakLogs
{
    /// <summary>The streak's lines (as <paramref name="streakLines"/> picks them from <paramref name="logs"/>) once it has ended.</summary>
    public static async Task<List<(string Category, LogLevel Level, EventId EventId, string Text)>> FailThenRecoverAsync(
        FakeTimeProvider time, WriteFailingStorage storage, CapturedLogs logs,
        Func<CapturedLogs, List<(string Category, LogLevel Level, EventId EventId, string Text)>> streakLines, int recoveredEventId, string what)
    {
        await Eventually.WaitAsync(() => Task.FromResult(streakLines(logs).Count), failed => failed >= 5, $"five failed {what}",
            tick: () => time.Advance(TimeSpan.FromSeconds(1)));

        storage.FailAll = false;
        var recoveredAt = time.GetUtcNow();
        await Eventually.WaitAsync(
            () => Task.FromResult((Logged: streakLines(logs).Any(e => e.EventId.Id == recoveredEventId), Since: time.GetUtcNow() - recoveredAt)),
            r => r.Logged || r.Since >= TimeSpan.FromSeconds(10), $"one of the {what} to go through", tick: () => time.Advance(TimeSpan.FromSeconds(1)));
        return streakLines(logs);
    }
}
