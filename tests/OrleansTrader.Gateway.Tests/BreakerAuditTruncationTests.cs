using System.Net;
using System.Text.Json;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// A breaker's audit keeps its latest 1,000 transitions. A page after a version whose successors were trimmed answered
/// the next kept ones with nothing saying some were gone: the audit routes carry the history headers the journal's do.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class BreakerAuditTruncationTests(GatewayFixture fixture)
{
    private const int AuditKept = 1000;
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);

    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task AnAuditPageFromBelowTheOldestKeptVersion_SaysItIsTruncated_AndWhereTheKeptOnesBegin()
    {
        var account = await Host.CreateAccountAsync();
        var audit = $"/api/accounts/{account}/breaker/audit";
        var breaker = Host.Grains.GetGrain<IBreakerGrain>(account);
        await TransitionAsync(breaker, 2);
        Assert.Equal(("false", "1"), (await PageAsync($"{audit}?limit=1")).Headers);

        // Three more than the audit keeps, through the grain (1,000 requests would only be slower): 1 to 3 are trimmed.
        await TransitionAsync(breaker, AuditKept + 3 - 2);

        var (fromStart, fromStartHeaders) = await PageAsync($"{audit}?limit=2");
        Assert.Equal([4L, 5L], fromStart.Select(e => e.GetProperty("version").GetInt64()));
        Assert.Equal(("true", "4"), fromStartHeaders);
        var (fromTrimmed, fromTrimmedHeaders) = await PageAsync($"{audit}?after=1&limit=2");
        Assert.Equal([4L, 5L], fromTrimmed.Select(e => e.GetProperty("version").GetInt64()));
        Assert.Equal(("true", "4"), fromTrimmedHeaders);

        // A reader that had read up to the oldest kept less one, or every transition, missed nothing.
        Assert.Equal(("false", "4"), (await PageAsync($"{audit}?after=3&limit=2")).Headers);
        var (caughtUp, caughtUpHeaders) = await PageAsync($"{audit}?after={AuditKept + 3}");
        Assert.Empty(caughtUp);
        Assert.Equal(("false", "4"), caughtUpHeaders);

        // Past the newest version (the breaker's storage was reset or restored), as the journal's page says it.
        var (pastNewest, pastNewestHeaders) = await PageAsync($"{audit}?after={AuditKept + 4}");
        Assert.Empty(pastNewest);
        Assert.Equal(("true", "4"), pastNewestHeaders);

        // The global kill switch's audit carries them too (its trims are the same grain's: not repeated on the shared switch).
        var (_, global) = await PageAsync("/api/trading/audit?limit=1");
        Assert.Equal("false", global.Truncated);
        Assert.Equal("1", global.Oldest);
    }

    private async Task<(List<JsonElement> Entries, (string? Truncated, string? Oldest) Headers)> PageAsync(string path)
    {
        using var response = await Host.SendAsync(HttpMethod.Get, path, Host.AdminKey);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        var truncated = response.Headers.TryGetValues("X-History-Truncated", out var t) ? t.Single() : null;
        var oldest = response.Headers.TryGetValues("X-History-Oldest-Sequence", out var o) ? o.Single() : null;
        return ([.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => e.Clone())], (truncated, oldest));
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
