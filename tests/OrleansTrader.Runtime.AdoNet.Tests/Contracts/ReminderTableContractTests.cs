namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// The behaviour every <see cref="IReminderTable"/> must have. Subclass it once per provider; each call of
/// <see cref="OpenTableAsync"/> must return a table over the same store (a restarted silo), initialized.
/// </summary>
public abstract class ReminderTableContractTests
{
    private static readonly DateTimeOffset Start = new DateTimeOffset(2026, 3, 2, 14, 30, 15, TimeSpan.Zero).AddTicks(1234567);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<IReminderTable> OpenTableAsync();

    [Fact]
    public async Task ReadRowAsync_ReturnsNull_WhenMissing()
    {
        var table = await OpenTableAsync();

        Assert.Null(await table.ReadRowAsync(NewGrain(), "missing", Ct));
    }

    [Fact]
    public async Task UpsertRowAsync_RoundTripsEntryExactly()
    {
        var table = await OpenTableAsync();
        var entry = Entry(NewGrain(), "settle", TimeSpan.FromMinutes(5).Add(TimeSpan.FromTicks(7)));

        var eTag = await table.UpsertRowAsync(entry, Ct);
        var read = await table.ReadRowAsync(entry.GrainId, "settle", Ct);

        Assert.False(string.IsNullOrEmpty(eTag));
        Assert.Equal(entry with { ETag = eTag }, read);
        Assert.Equal(TimeSpan.Zero, read!.StartAt.Offset);
    }

    [Fact]
    public async Task UpsertRowAsync_StoresUtcInstant_WhenStartHasOffset()
    {
        var table = await OpenTableAsync();
        var local = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(-5));
        var entry = Entry(NewGrain(), "open") with { StartAt = local };

        await table.UpsertRowAsync(entry, Ct);
        var read = await table.ReadRowAsync(entry.GrainId, "open", Ct);

        Assert.Equal(local.UtcTicks, read!.StartAt.UtcTicks);
    }

    [Fact]
    public async Task UpsertRowAsync_ReplacesRowAndChangesETag_WhenRowExists()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        var first = await table.UpsertRowAsync(Entry(grain, "tick", TimeSpan.FromMinutes(1)), Ct);

        var second = await table.UpsertRowAsync(Entry(grain, "tick", TimeSpan.FromMinutes(2)), Ct);
        var rows = await table.ReadRowsAsync(grain, Ct);

        Assert.NotEqual(first, second);
        var row = Assert.Single(rows);
        Assert.Equal(TimeSpan.FromMinutes(2), row.Period);
        Assert.Equal(second, row.ETag);
    }

    [Fact]
    public async Task RemoveRowAsync_RemovesRow_WhenETagMatches()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        var eTag = await table.UpsertRowAsync(Entry(grain, "expire"), Ct);

        var removed = await table.RemoveRowAsync(grain, "expire", eTag, Ct);

        Assert.True(removed);
        Assert.Null(await table.ReadRowAsync(grain, "expire", Ct));
    }

    [Fact]
    public async Task RemoveRowAsync_ReturnsFalseAndKeepsRow_WhenETagIsStale()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        var stale = await table.UpsertRowAsync(Entry(grain, "expire"), Ct);
        var current = await table.UpsertRowAsync(Entry(grain, "expire"), Ct);

        var removed = await table.RemoveRowAsync(grain, "expire", stale, Ct);

        Assert.False(removed);
        Assert.Equal(current, (await table.ReadRowAsync(grain, "expire", Ct))?.ETag);
    }

    [Fact]
    public async Task RemoveRowAsync_ReturnsFalse_WhenETagPredatesRemoveAndReAdd()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        var firstLife = await table.UpsertRowAsync(Entry(grain, "expire"), Ct);
        Assert.True(await table.RemoveRowAsync(grain, "expire", firstLife, Ct));
        await table.UpsertRowAsync(Entry(grain, "expire"), Ct);

        var removed = await table.RemoveRowAsync(grain, "expire", firstLife, Ct);

        Assert.False(removed);
        Assert.NotNull(await table.ReadRowAsync(grain, "expire", Ct));
    }

    [Fact]
    public async Task RemoveRowAsync_ReturnsFalse_WhenMissing()
    {
        var table = await OpenTableAsync();

        Assert.False(await table.RemoveRowAsync(NewGrain(), "missing", "1", Ct));
    }

    [Fact]
    public async Task ReadRowsAsync_ReturnsOnlyThatGrainsRows_WhenKeysCollideAcrossTypesAndZeros()
    {
        var table = await OpenTableAsync();
        var type = NewType();
        var grain = GrainId.Create(type, "020235");
        var otherType = GrainId.Create(NewType(), "020235");
        var otherKey = GrainId.Create(type, "20235");
        await table.UpsertRowAsync(Entry(grain, "a"), Ct);
        await table.UpsertRowAsync(Entry(grain, "b"), Ct);
        await table.UpsertRowAsync(Entry(otherType, "a"), Ct);
        await table.UpsertRowAsync(Entry(otherKey, "a"), Ct);

        var rows = await table.ReadRowsAsync(grain, Ct);

        Assert.Equal(["a", "b"], rows.Select(r => r.ReminderName).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(grain, r.GrainId));
    }

    [Fact]
    public async Task ReadAllRowsAsync_ReturnsEveryRow()
    {
        var table = await OpenTableAsync();
        var type = NewType();
        var grains = Enumerable.Range(0, 3).Select(i => GrainId.Create(type, $"k{i}")).ToList();
        foreach (var grain in grains)
        {
            await table.UpsertRowAsync(Entry(grain, "r"), Ct);
        }

        var all = await table.ReadAllRowsAsync(Ct);

        Assert.Equal(grains, all.Where(r => r.GrainId.Type.Value == type).Select(r => r.GrainId).OrderBy(g => g.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadRowAsync_FindsRow_AfterTableIsReopened()
    {
        var table = await OpenTableAsync();
        var entry = Entry(NewGrain(), "durable");
        var eTag = await table.UpsertRowAsync(entry, Ct);

        var reopened = await OpenTableAsync();
        var read = await reopened.ReadRowAsync(entry.GrainId, "durable", Ct);

        Assert.Equal(entry with { ETag = eTag }, read);
    }

    private static string NewType() => "Tests.Grain" + Guid.NewGuid().ToString("N");

    private static GrainId NewGrain() => GrainId.Create(NewType(), "key");

    private static ReminderEntry Entry(GrainId grain, string name, TimeSpan? period = null) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = Start,
        Period = period ?? TimeSpan.FromMinutes(1),
    };
}
