using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// The trading day: its roll at the first valuation of a later trading date (the calendar's: the UTC date, or New York's on
/// the NYSE calendar), the closed days kept, and the performance query.
/// </summary>
internal sealed partial class AccountGrain
{
    private ClosedDaysStore<AccountDays, AccountDay>? _days;

    private ClosedDaysStore<AccountDays, AccountDay> Days => _days ??= new(_storage!, GrainId, static d => d.Date, _options.DaysKept);

    public async Task<AccountPerformance?> GetPerformanceAsync(DateOnly? from, DateOnly? to)
    {
        if (!S.IsOpen)
        {
            return null;
        }

        // A query after midnight, before the signal tick (an activation it woke), closes yesterday first.
        await RollDayIfDateChangedAsync();

        // Today is valued at fresh marks: an account this query woke has none yet, and without them it has no row today.
        await RefreshOpenMarksAsync();

        var days = await Days.ReadAsync(from, to);
        if (Today() is { } today && DateRange.Includes(today.Date, from, to))
        {
            days.Add(today);
        }

        return new AccountPerformance { AccountId = AccountId, Days = days, Summary = AccountPerformanceSummaries.Of(days, environment.Calendar) };
    }

    /// <summary>Whether the trading date has moved on since the trading day started (the signal tick has not rolled it yet).</summary>
    private bool DateChanged() => IsLaterThanTradingDay(TradingDate(time.GetUtcNow()));

    private DateOnly TradingDate(DateTimeOffset at) => environment.Calendar.TradingDate(at);

    /// <summary>
    /// A day rolls forward only. A day stored as a UTC date on the NYSE calendar (before days were New York dates) is a date
    /// ahead of New York's from 19:00 or 20:00 there until midnight: it goes on until New York's date reaches it.
    /// </summary>
    private bool IsLaterThanTradingDay(DateOnly date) => S.TradingDay is not { } day || date > day;

    /// <summary>Between midnight and the signal tick, does the tick's work first, so what follows lands in the new day.</summary>
    private async Task RollDayIfDateChangedAsync()
    {
        if (DateChanged())
        {
            await SignalAsync();
        }
    }

    /// <summary>
    /// Starts a new trading day at the first valuation of a later trading date (start-of-day equity for day P&amp;L), after the
    /// day that ends is stored. That write comes before the core write that moves the day on, so a crash between the two
    /// rolls the same day again, and its row is replaced rather than added twice.
    /// </summary>
    private async Task RollDayAsync()
    {
        var now = time.GetUtcNow();
        var date = TradingDate(now);
        if (!IsLaterThanTradingDay(date) || Value() is not { } valuation)
        {
            return;
        }

        if (S.TradingDay is { } closing && S.DayStart is { } start)
        {
            await Days.StoreAsync(DayOf(closing, start, closed: true, now, valuation.Equity));
        }

        Ledger = Ledger.StartDay(valuation.Equity);
        S.TradingDay = date;
        S.DayStart = DayStartAt(now);
    }

    /// <summary>
    /// Closes the day before a fill or order of a new date is booked into it: at activation (an account that was not active
    /// when its date changed) and before a fill that arrives after midnight ahead of the signal tick. Without a mark for
    /// every position it cannot be valued: the tick rolls it then. A failure here never holds up the booking.
    /// </summary>
    private async Task RollDayBeforeBookingAsync()
    {
        if (!DateChanged())
        {
            return;
        }

        try
        {
            var day = S.TradingDay;
            await RefreshOpenMarksAsync();
            await RollDayAsync();
            _persistDeferred |= day != S.TradingDay;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSignalFailed(ex);
        }
    }

    private AccountDayStart DayStartAt(DateTimeOffset now) => new()
    {
        StartedAt = now,
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
        StartEquity = (Ledger.StartOfDayEquity ?? throw new InvalidOperationException("A day started without its start-of-day equity.")) - start.CashFlow,
        EndEquity = equity,
        CashFlow = start.CashFlow,
        RealizedPnl = Ledger.RealizedPnlTotal - start.RealizedPnl,
        Fees = Ledger.FeesTotal - start.Fees,
        Fills = S.LastFillSequence - start.FillSequence,
    };
}
