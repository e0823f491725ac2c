using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A rollback onto a store a newer build wrote: the older build read its records without the members it did not know and
/// wrote them back without them (a stopped strategy's booked fills, the paper archive's retention marks). The format record
/// makes the start refuse such a store instead, naming the builds and the way back.
/// </summary>
public sealed class StoreFormatCheckTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private readonly MemoryGrainStorage _storage = new(new JsonGrainStateSerializer([GrainsStateJsonContext.Default]));
    private readonly FakeTimeProvider _time = new(At);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _storage.Dispose();

    [Fact]
    public async Task StoreFormatCheck_RefusesToStart_OnAStoreOfANewerFormat_NamingBothBuildsAndTheWayBack()
    {
        var newer = await StoreAsync(new StoreFormatRecord { Format = StoreFormat.Current + 1, LastBuild = "9.9.9+future", LastStartedAt = At.AddDays(-1) });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Check().StartAsync(Ct));

        Assert.Equal(
            $"The store (SQLite /data/orleanstrader.db) is in store format {StoreFormat.Current + 1}, last started by build 9.9.9+future " +
            $"at 2026-12-05 08:00:00Z; this build ({StoreFormat.Build}) reads store format {StoreFormat.Current} and older, and would " +
            "lose or misread what the newer build stored. Start that build or a newer one on it, or, to go back to this build, " +
            "restore the copy of the store taken before the upgrade (docs/deployment.md, \"Rolling back\").",
            refused.Message);
        var after = await ReadAsync();
        Assert.Equal(newer.ETag, after.ETag);
        Assert.Equal(StoreFormat.Current + 1, after.State.Format);
    }

    [Fact]
    public async Task StoreFormatCheck_RecordsThisBuildsFormat_OnAStoreWithoutARecord()
    {
        await Check().StartAsync(Ct);

        var record = await ReadAsync();
        Assert.True(record.RecordExists);
        Assert.Equal(new StoreFormatRecord { Format = StoreFormat.Current, LastBuild = StoreFormat.Build, LastStartedAt = At }, record.State);
    }

    [Fact]
    public async Task StoreFormatCheck_RaisesAnOlderFormat_SoItsBuildIsRefusedFromNowOn()
    {
        await StoreAsync(new StoreFormatRecord { Format = StoreFormat.Current - 1, LastBuild = "0.9.0+past", LastStartedAt = At.AddDays(-3) });

        await Check().StartAsync(Ct);

        Assert.Equal(new StoreFormatRecord { Format = StoreFormat.Current, LastBuild = StoreFormat.Build, LastStartedAt = At }, (await ReadAsync()).State);
    }

    [Fact]
    public async Task StoreFormatCheck_WritesNothing_WhenTheSameBuildStartsAgain()
    {
        await Check().StartAsync(Ct);
        var first = await ReadAsync();
        _time.Advance(TimeSpan.FromHours(1));

        await Check().StartAsync(Ct);

        Assert.Equal(first.ETag, (await ReadAsync()).ETag);
    }

    private StoreFormatCheck Check() => new(_storage, "SQLite /data/orleanstrader.db", _time, NullLogger<StoreFormatCheck>.Instance);

    private async Task<GrainState<StoreFormatRecord>> StoreAsync(StoreFormatRecord stored)
    {
        var record = new GrainState<StoreFormatRecord>(stored);
        await _storage.WriteStateAsync(StoreFormatCheck.StateName, StoreFormatCheck.RecordId, record, Ct);
        return record;
    }

    private async Task<GrainState<StoreFormatRecord>> ReadAsync()
    {
        var record = new GrainState<StoreFormatRecord>(new StoreFormatRecord());
        await _storage.ReadStateAsync(StoreFormatCheck.StateName, StoreFormatCheck.RecordId, record, Ct);
        return record;
    }
}
