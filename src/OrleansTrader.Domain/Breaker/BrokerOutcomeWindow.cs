namespace OrleansTrader.Domain.Breaker;

/// <summary>
/// Keeps broker outcomes as per-second counts, so an error-rate window holds at most two entries (calls that failed,
/// calls that succeeded) per second it spans, however many calls it counts. Kept one entry per call, a busy account's
/// five-minute window was tens of thousands of objects, capped by dropping the oldest calls and walked on every
/// evaluation.
/// </summary>
public static class BrokerOutcomeWindow
{
    /// <summary>The span one entry covers: at the window's edge an entry counts or expires as a whole.</summary>
    public static readonly TimeSpan Bucket = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Adds <paramref name="outcome"/> to <paramref name="window"/> (entries in time order): into the entry of its kind
    /// that started less than <see cref="Bucket"/> before it, else as a new entry. One out of order may start an entry of
    /// its own; the evaluation counts entries by time, so it is still counted correctly.
    /// </summary>
    public static void Add(List<BrokerOutcome> window, BrokerOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(outcome);

        // Entries are in time order: look back over the last second only (a few entries at most).
        for (var i = window.Count - 1; i >= 0; i--)
        {
            var entry = window[i];
            if (outcome.At - entry.At >= Bucket)
            {
                break;
            }

            if (entry.IsError == outcome.IsError && outcome.At >= entry.At)
            {
                window[i] = entry with { Count = entry.Count + outcome.Count };
                return;
            }
        }

        window.Add(outcome);
    }

    /// <summary>Adds every outcome in order (see <see cref="Add(List{BrokerOutcome}, BrokerOutcome)"/>).</summary>
    public static void AddRange(List<BrokerOutcome> window, IEnumerable<BrokerOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var outcome in outcomes)
        {
            Add(window, outcome);
        }
    }
}
