using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// The strategy's days (UTC dates): a day closes at the first save tick (every 5 s while active) or performance query of a
/// later date, at the P&amp;L of that moment, and its row goes into the "days" record before the state that starts the next
/// day is saved; a crash in between closes the same day again and replaces its row.
/// </summary>
internal sealed partial class StrategyGrain
{
    private const string DaysName = "days";

    /// <summary>Five years of dates, as an account keeps.</summary>
    private const int DaysKept = 1830;

    private GrainState<StrategyDays>? _days;

    public async Task<StrategyPerformance?> GetPerformanceAsync(DateOnly? from, DateOnly? to)
    {
        if (!S.Exists)
        {
            return null;
        }

        await RollDayAsync();
        var days = (await LoadDaysAsync()).Days.Where(d => InRange(d.Date, from, to)).ToList();
        if (S.DayStart is { } start && InRange(start.Date, from, to) && await TotalsAsync() is { } totals)
        {
            days.Add(DayOf(start, closed: false, time.GetUtcNow(), totals));
        }

        return new StrategyPerformance { AccountId = _accountId, StrategyId = _strategyId, Days = days, Summary = StrategyPerformanceSummary.Of(days) };
    }

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>Closes the day when the date has changed and the positions can be valued (each has a mark); starts the next.</summary>
    private async Task RollDayAsync()
    {
        var today = Today();
        if (S.DayStart?.Date == today || await TotalsAsync() is not { } totals)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (S.DayStart is { } start)
        {
            await StoreDayAsync(DayOf(start, closed: true, now, totals));
        }

        S.DayStart = new StrategyDayStart
        {
            Date = today, StartedAt = now, RealizedPnl = totals.Realized, Fees = totals.Fees, UnrealizedPnl = totals.Unrealized, Fills = S.Fills,
        };
        _dirty = true;
    }

    private StrategyDay DayOf(StrategyDayStart start, bool closed, DateTimeOffset end, Totals totals) => new()
    {
        Date = start.Date,
        Closed = closed,
        StartedAt = start.StartedAt,
        EndedAt = end,
        Pnl = (totals.Realized - start.RealizedPnl) - (totals.Fees - start.Fees) + (totals.Unrealized - start.UnrealizedPnl),
        RealizedPnl = totals.Realized - start.RealizedPnl,
        Fees = totals.Fees - start.Fees,
        Fills = S.Fills - start.Fills,
    };

    /// <summary>The strategy's realized P&amp;L, fees and unrealized P&amp;L now, or null while a position has no mark.</summary>
    private async Task<Totals?> TotalsAsync()
    {
        var realized = 0m;
        var fees = 0m;
        var unrealized = 0m;
        foreach (var position in S.Positions.Values)
        {
            realized += position.RealizedPnl;
            fees += position.FeesPaid;
            if (position.IsFlat)
            {
                continue;
            }

            var mark = PositionView.MarkOf(await GrainFactory.GetGrain<ISymbolGrain>(position.Symbol).GetQuoteAsync());
            if (PositionView.Of(position, mark).UnrealizedPnl is not { } open)
            {
                return null;
            }

            unrealized += open;
        }

        return new Totals(realized, fees, unrealized);
    }

    private async Task StoreDayAsync(StrategyDay day)
    {
        var record = await LoadDaysAsync();
        var days = record.Days;
        if (days.Count > 0 && days[^1].Date == day.Date)
        {
            days[^1] = day;
        }
        else
        {
            days.Add(day);
        }

        if (days.Count > DaysKept)
        {
            days.RemoveRange(0, days.Count - DaysKept);
        }

        await Storage.WriteStateAsync(DaysName, GrainId, _days!);
    }

    private async Task<StrategyDays> LoadDaysAsync()
    {
        if (_days is null)
        {
            var days = new GrainState<StrategyDays>(new StrategyDays());
            await Storage.ReadStateAsync(DaysName, GrainId, days);
            days.State ??= new StrategyDays();
            _days = days;
        }

        return _days.State;
    }

    /// <summary>A new or deleted strategy has no days: a record left by an earlier one under this key goes.</summary>
    private async Task ClearDaysAsync()
    {
        var days = _days ?? new GrainState<StrategyDays>(new StrategyDays());
        if (_days is null)
        {
            await Storage.ReadStateAsync(DaysName, GrainId, days);
        }

        if (days.RecordExists)
        {
            await Storage.ClearStateAsync(DaysName, GrainId, days);
        }

        days.State = new StrategyDays();
        _days = days;
    }

    private IGrainStorage Storage => ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default);

    private static bool InRange(DateOnly date, DateOnly? from, DateOnly? to) =>
        (from is null || date >= from) && (to is null || date <= to);

    private readonly record struct Totals(decimal Realized, decimal Fees, decimal Unrealized);
}
