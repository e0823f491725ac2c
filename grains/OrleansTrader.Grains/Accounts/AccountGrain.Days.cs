using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Accounts;

/// <summary>The trading day: its roll at the first valuation of a new UTC date, the closed days kept, and the performance query.</summary>
internal sealed partial class AccountGrain
{
    private const string DaysName = "days";

    /// <summary>Read at the first roll or query of the activation, not at activation: most activations need neither.</summary>
    private GrainState<AccountDays>? _days;

    public async Task<AccountPerformance?> GetPerformanceAsync(DateOnly? from, DateOnly? to)
    {
        if (!S.IsOpen)
        {
            return null;
        }

        // A query after midnight, before the signal tick (an activation it woke), closes yesterday first.
        if (S.TradingDay != DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime))
        {
            await SignalAsync();
        }

        var days = (await LoadDaysAsync()).Days.Where(d => InRange(d.Date, from, to)).ToList();
        if (Today() is { } today && InRange(today.Date, from, to))
        {
            days.Add(today);
        }

        return new AccountPerformance { AccountId = AccountId, Days = days, Summary = AccountPerformanceSummaries.Of(days) };
    }

    /// <summary>
    /// Starts a new trading day at the first valuation of a new UTC date (start-of-day equity for day P&amp;L), after the
    /// day that ends is stored. That write comes before the core write that moves the day on, so a crash between the two
    /// rolls the same day again, and its row is replaced rather than added twice.
    /// </summary>
    private async Task RollDayAsync()
    {
        var now = time.GetUtcNow();
        var date = DateOnly.FromDateTime(now.UtcDateTime);
        if (S.TradingDay == date || Value() is not { } valuation)
        {
            return;
        }

        if (S.TradingDay is { } closing && S.DayStart is { } start)
        {
            await StoreDayAsync(DayOf(closing, start, closed: true, now, valuation.Equity));
        }

        Ledger = Ledger.StartDay(valuation.Equity);
        S.TradingDay = date;
        S.DayStart = DayStartAt(now, valuation.Equity);
    }

    private AccountDayStart DayStartAt(DateTimeOffset now, decimal equity) => new()
    {
        StartedAt = now,
        Equity = equity,
        RealizedPnl = Ledger.RealizedPnlTotal,
        Fees = Ledger.FeesTotal,
        FillSequence = S.LastFillSequence,
    };

    /// <summary>The open day so far, or null without a valuation (a position with no mark) or a start (a record from before days were kept).</summary>
    private AccountDay? Today() =>
        S.TradingDay is { } date && S.DayStart is { } start && Value() is { } valuation
            ? DayOf(date, start, closed: false, time.GetUtcNow(), valuation.Equity)
            : null;

    private AccountDay DayOf(DateOnly date, AccountDayStart start, bool closed, DateTimeOffset end, decimal equity) => new()
    {
        Date = date,
        Closed = closed,
        StartedAt = start.StartedAt,
        EndedAt = end,
        StartEquity = start.Equity,
        EndEquity = equity,
        RealizedPnl = Ledger.RealizedPnlTotal - start.RealizedPnl,
        Fees = Ledger.FeesTotal - start.Fees,
        Fills = S.LastFillSequence - start.FillSequence,
    };

    private async Task StoreDayAsync(AccountDay day)
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

        if (days.Count > _options.DaysKept)
        {
            days.RemoveRange(0, days.Count - _options.DaysKept);
        }

        await _storage!.WriteStateAsync(DaysName, GrainId, _days!);
    }

    private async Task<AccountDays> LoadDaysAsync()
    {
        if (_days is null)
        {
            var days = new GrainState<AccountDays>(new AccountDays());
            await _storage!.ReadStateAsync(DaysName, GrainId, days);
            days.State ??= new AccountDays();
            _days = days;
        }

        return _days.State;
    }

    private static bool InRange(DateOnly date, DateOnly? from, DateOnly? to) =>
        (from is null || date >= from) && (to is null || date <= to);
}
