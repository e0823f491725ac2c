using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Accounts;

/// <summary>The date bounds of the days and trades queries.</summary>
internal static class DateRange
{
    /// <summary>Whether <paramref name="date"/> is in [from, to]; a null bound is open.</summary>
    public static bool Includes(DateOnly date, DateOnly? from, DateOnly? to) =>
        (from is null || date >= from) && (to is null || date <= to);
}

/// <summary>A grain's closed days, oldest first: its "days" record, written once a day, when a day closes.</summary>
internal abstract record ClosedDays<TDay>
{
    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public List<TDay> Days { get; init => field = value ?? []; } = [];
}

/// <summary>
/// The "days" record of an account or a strategy grain: read at its first use in an activation (most need it never), a
/// day closed again (after a crash between this write and the grain's own) replacing its row, the oldest dropped past
/// the bound.
/// </summary>
internal sealed class ClosedDaysStore<TRecord, TDay>(IGrainStorage storage, GrainId grainId, Func<TDay, DateOnly> dateOf, int kept)
    where TRecord : ClosedDays<TDay>, new()
{
    public const string Name = "days";

    private GrainState<TRecord>? _record;

    /// <summary>The stored days from <paramref name="from"/> to <paramref name="to"/>, oldest first.</summary>
    public async Task<List<TDay>> ReadAsync(DateOnly? from, DateOnly? to) =>
        (await LoadAsync()).State.Days.Where(d => DateRange.Includes(dateOf(d), from, to)).ToList();

    public async Task StoreAsync(TDay day)
    {
        var record = await LoadAsync();
        var days = record.State.Days;
        if (days.Count > 0 && dateOf(days[^1]) == dateOf(day))
        {
            days[^1] = day;
        }
        else
        {
            days.Add(day);
        }

        if (days.Count > kept)
        {
            days.RemoveRange(0, days.Count - kept);
        }

        await storage.WriteStateAsync(Name, grainId, record);
    }

    /// <summary>Deletes the record (a new or deleted grain under this key has no days of an earlier one).</summary>
    public async Task ClearAsync()
    {
        var record = await LoadAsync();
        if (record.RecordExists)
        {
            await storage.ClearStateAsync(Name, grainId, record);
        }

        record.State = new TRecord();
    }

    private async Task<GrainState<TRecord>> LoadAsync() => _record ??= await storage.ReadRecordAsync<TRecord>(Name, grainId);
}
