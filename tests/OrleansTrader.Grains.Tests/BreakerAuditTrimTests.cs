using OrleansTrader.Domain.Breaker;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Breakers;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The audit keeps the latest transitions only: a page after a version whose successors were trimmed says so, else a reader
/// walking the audit took the next kept entries for the ones after its cursor and never learned it missed some.
/// </summary>
public sealed class BreakerAuditTrimTests(MemoryClusterFixture fixture) : IClassFixture<MemoryClusterFixture>
{
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);

    [Fact]
    public async Task APageFromACursorBelowTheOldestKeptVersion_SaysItIsTruncated_AndOneFromTheKeptAuditDoesNot()
    {
        var breaker = fixture.Cluster.Breaker("audit-trim");
        await TransitionAsync(breaker, 3);
        var untrimmed = await breaker.GetAuditPageAsync(0, 10);
        Assert.Equal((false, 1L, 3L), (untrimmed.Truncated, untrimmed.OldestVersion, untrimmed.LastVersion));
        Assert.Equal([1L, 2L, 3L], untrimmed.Entries.Select(e => e.Version));

        // Five more than the audit keeps: versions 1 to 5 are trimmed, 6 is the oldest kept.
        await TransitionAsync(breaker, BreakerGrain.MaxAudit + 5 - 3);

        var fromStart = await breaker.GetAuditPageAsync(0, 3);
        Assert.Equal((true, 6L, 1005L), (fromStart.Truncated, fromStart.OldestVersion, fromStart.LastVersion));
        Assert.Equal([6L, 7L, 8L], fromStart.Entries.Select(e => e.Version));
        var fromTrimmed = await breaker.GetAuditPageAsync(2, 3);
        Assert.True(fromTrimmed.Truncated);
        Assert.Equal([6L, 7L, 8L], fromTrimmed.Entries.Select(e => e.Version));

        // A reader that had read up to the oldest kept less one missed nothing, nor one caught up with the newest.
        Assert.False((await breaker.GetAuditPageAsync(5, 3)).Truncated);
        Assert.False((await breaker.GetAuditPageAsync(8, 3)).Truncated);
        var caughtUp = await breaker.GetAuditPageAsync(1005, 3);
        Assert.False(caughtUp.Truncated);
        Assert.Empty(caughtUp.Entries);

        // One past the newest version is not a reader caught up: the breaker's storage was reset or restored, and the
        // versions after its cursor went to other transitions. Said so, as the journal's and the fills' pages say it.
        var pastNewest = await breaker.GetAuditPageAsync(1006, 3);
        Assert.Equal((true, 6L, 1005L), (pastNewest.Truncated, pastNewest.OldestVersion, pastNewest.LastVersion));
        Assert.Empty(pastNewest.Entries);
        Assert.True((await breaker.GetAuditPageAsync(long.MaxValue, 3)).Truncated);

        // A walk from the start: only its first page is truncated, and it reads every kept version once, in order.
        var walked = new List<long>();
        var truncatedPages = new List<bool>();
        var after = 0L;
        while (await breaker.GetAuditPageAsync(after, 400) is { Entries.Count: > 0 } page)
        {
            truncatedPages.Add(page.Truncated);
            walked.AddRange(page.Entries.Select(e => e.Version));
            after = page.Entries[^1].Version;
        }

        Assert.Equal([true, false, false], truncatedPages);
        Assert.Equal(Enumerable.Range(6, BreakerGrain.MaxAudit).Select(v => (long)v), walked);
    }

    /// <summary>Halts and resets by turns, one transition each.</summary>
    private static async Task TransitionAsync(IBreakerGrain breaker, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var result = (await breaker.GetStateAsync()).State == TradingState.Active
                ? await breaker.TripAsync(TradingState.Halted, RiskOfficer, $"halt {i}")
                : await breaker.ResetAsync(TradingState.Active, RiskOfficer, $"resume {i}", force: false);
            Assert.True(result.Succeeded, result.Message);
        }
    }
}
