using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// The strategy's days (trading dates, as the account's: UTC dates, or New York's on the NYSE calendar): a day closes at the
/// first save tick (every 5 s while active) or performance query of a later date, at the P&amp;L of that moment, and its row goes into the "days" record before the state that starts the next
/// day is saved; a crash in between closes the same day again and replaces its row.
/// </summary>
internal sealed partial class StrategyGrain
{
    /// <summary>Five years of dates, as an account keeps.</summary>
    private const int DaysKept = 1830;

    private ClosedDaysStore<StrategyDays, StrategyDay>? _days;

    private ClosedDaysStore<StrategyDays, StrategyDay> Days =>
        _days ??= new(ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default), GrainId, static d => d.Date, DaysKept);

    public async Task<StrategyPerformance?> GetPerformanceAsync(DateOnly? from, DateOnly? to)
    {
        if (!S.Exists)
        {
            return null;
        }

        // A stopped strategy's day is what its orders' fills left it, as its status shows.
        await BookStoppedFillsAsync();
        await RollDayAsync();
        var days = await Days.ReadAsync(from, to);
        if (S.DayStart is { } start && DateRange.Includes(start.Date, from, to) && await TotalsAsync() is { } totals)
        {
            days.Add(DayOf(start, closed: false, time.GetUtcNow(), totals));
        }

        return new StrategyPerformance { AccountId = _accountId, StrategyId = _strategyId, Days = days, Summary = StrategyPerformanceSummary.Of(days) };
    }

    private DateOnly Today() => TradingDate(time.GetUtcNow());

    private DateOnly TradingDate(DateTimeOffset at) => environment.Calendar.TradingDate(at);

    /// <summary>Closes the day when the date has changed and the positions can be valued (each has a mark); starts the next.</summary>
    private Task RollDayAsync() => RollDayToAsync(Today());

    /// <summary>
    /// Before a fill made on a later date than the open day is booked (a stopped strategy's, found after midnight): closes the
    /// day, so the fill goes into its own. The dates in between without a fill get no row: the closed one spans them, as an
    /// account's does when it was not active. A fill stamped later than today (a venue's clock ahead) or older than the open
    /// day goes into the open day: a closed day never changes, and a day does not start ahead of the clock.
    /// </summary>
    private async Task RollDayBeforeFillAsync(AccountFill fill)
    {
        var made = TradingDate(fill.Timestamp);
        if (S.DayStart is { } start && made > start.Date && made <= Today())
        {
            await RollDayToAsync(made);
        }
    }

    /// <summary>
    /// Closes the open day at the P&amp;L of this moment and starts <paramref name="date"/>'s, when the positions can be valued
    /// (each has a mark); without a mark the day stays open, and the fills go into it. A day rolls forward only: one stored
    /// as a UTC date on the NYSE calendar (before days were New York dates) can be a date ahead, and goes on until it is today.
    /// </summary>
    private async Task RollDayToAsync(DateOnly date)
    {
        if ((S.DayStart is { } open && date <= open.Date) || await TotalsAsync() is not { } totals)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (S.DayStart is { } start)
        {
            await Days.StoreAsync(DayOf(start, closed: true, now, totals));
        }

        S.DayStart = new StrategyDayStart
        {
            Date = date, StartedAt = now, RealizedPnl = totals.Realized, Fees = totals.Fees, UnrealizedPnl = totals.Unrealized, Fills = S.Fills,
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

    /// <summary>
    /// The strategy's realized P&amp;L, fees and unrealized P&amp;L now, or null while a position has no mark. A stopped one's
    /// from the fills booked (the ones its fill count has), not the status's copy with the ones the account recorded since.
    /// </summary>
    private async Task<Totals?> TotalsAsync()
    {
        var positions = await ValuedPositionsAsync(S.Positions.Values);
        return positions.Exists(p => p.Quantity != 0m && p.UnrealizedPnl is null)
            ? null
            : new Totals(positions.Sum(p => p.RealizedPnl), positions.Sum(p => p.FeesPaid), positions.Sum(p => p.UnrealizedPnl ?? 0m));
    }

    private readonly record struct Totals(decimal Realized, decimal Fees, decimal Unrealized);
}
