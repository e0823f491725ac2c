namespace OrleansTrader.Domain.Fees;

/// <summary>
/// The US equity sell-side regulatory fee rates by the date they took effect (each row holds until the next). Sources are
/// listed in docs/domain.md; a new SEC fiscal-year order or FINRA filing is a new row here.
/// </summary>
public static class RegulatoryFeeSchedule
{
    /// <summary>The first date the schedule covers; earlier trades use the fixed rates.</summary>
    public static DateOnly Start { get; } = new(2021, 2, 25);

    /// <summary>SEC Section 31 fee, dollars per million dollars sold, by charge (trade) date.</summary>
    public static IReadOnlyList<(DateOnly From, decimal PerMillion)> SecSection31 { get; } =
    [
        (new DateOnly(2021, 2, 25), 5.10m),
        (new DateOnly(2022, 5, 14), 22.90m),
        (new DateOnly(2023, 2, 27), 8.00m),
        (new DateOnly(2024, 5, 22), 27.80m),
        (new DateOnly(2025, 5, 14), 0.00m),
        (new DateOnly(2026, 4, 4), 20.60m),
    ];

    /// <summary>FINRA Trading Activity Fee on covered equity sales: per share and the per-trade maximum, by trade date.</summary>
    public static IReadOnlyList<(DateOnly From, decimal PerShare, decimal MaxPerTrade)> FinraTaf { get; } =
    [
        (new DateOnly(2012, 7, 1), 0.000119m, 5.95m),
        (new DateOnly(2022, 1, 1), 0.000130m, 6.49m),
        (new DateOnly(2023, 1, 1), 0.000145m, 7.27m),
        (new DateOnly(2024, 1, 1), 0.000166m, 8.30m),
        (new DateOnly(2026, 1, 1), 0.000195m, 9.79m),
        // FINRA's TAF holiday (SR-FINRA-2026-021): no TAF on trades from 2026-10-01 to 2026-12-31.
        (new DateOnly(2026, 10, 1), 0m, 0m),
        // FINRA's fee adjustment schedule (SR-FINRA-2024-019) for 2027; the holiday filing says the scheduled rates resume.
        (new DateOnly(2027, 1, 1), 0.000232m, 11.61m),
    ];

    /// <summary>The SEC rate in force on <paramref name="date"/>, or null before <see cref="Start"/>.</summary>
    public static decimal? SecPerMillionOn(DateOnly date) => date < Start ? null : Last(SecSection31, r => r.From, date).PerMillion;

    /// <summary>The TAF rate and cap in force on <paramref name="date"/>, or null before <see cref="Start"/>.</summary>
    public static (decimal PerShare, decimal MaxPerTrade)? FinraTafOn(DateOnly date)
    {
        if (date < Start)
        {
            return null;
        }

        var row = Last(FinraTaf, r => r.From, date);
        return (row.PerShare, row.MaxPerTrade);
    }

    private static T Last<T>(IReadOnlyList<T> rows, Func<T, DateOnly> from, DateOnly date)
    {
        var found = rows[0];
        foreach (var row in rows)
        {
            if (from(row) > date)
            {
                break;
            }

            found = row;
        }

        return found;
    }
}
