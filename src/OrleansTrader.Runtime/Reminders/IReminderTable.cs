namespace OrleansTrader.Runtime;

/// <summary>Durable storage of reminders. Rows survive silo restarts; writes are conditional on the ETag.</summary>
public interface IReminderTable
{
    /// <summary>Creates the table if needed. Called once at silo start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ReminderEntry>> ReadRowsAsync(GrainId grainId, CancellationToken cancellationToken = default);

    Task<ReminderEntry?> ReadRowAsync(GrainId grainId, string reminderName, CancellationToken cancellationToken = default);

    /// <summary>All reminders (a single silo owns them all until the cluster issue adds ranges).</summary>
    Task<IReadOnlyList<ReminderEntry>> ReadAllRowsAsync(CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces the row and returns its new ETag.</summary>
    Task<string> UpsertRowAsync(ReminderEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Removes the row if its ETag matches; false when it did not exist or the ETag differed.</summary>
    Task<bool> RemoveRowAsync(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken = default);
}
