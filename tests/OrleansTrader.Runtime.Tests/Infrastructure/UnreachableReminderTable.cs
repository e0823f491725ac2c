namespace OrleansTrader.Runtime.Tests;

/// <summary>A reminder table whose database cannot be reached: the silo's start fails where it opens the table.</summary>
public sealed class UnreachableReminderTable : IReminderTable
{
    public const string Failure = "The reminder database cannot be reached.";

    public Task InitializeAsync(CancellationToken cancellationToken = default) => throw new IOException(Failure);

    public Task<IReadOnlyList<ReminderEntry>> ReadRowsAsync(GrainId grainId, CancellationToken cancellationToken = default) => throw new IOException(Failure);

    public Task<ReminderEntry?> ReadRowAsync(GrainId grainId, string reminderName, CancellationToken cancellationToken = default) => throw new IOException(Failure);

    public Task<IReadOnlyList<ReminderEntry>> ReadAllRowsAsync(CancellationToken cancellationToken = default) => throw new IOException(Failure);

    public Task<string> UpsertRowAsync(ReminderEntry entry, CancellationToken cancellationToken = default) => throw new IOException(Failure);

    public Task<bool> RemoveRowAsync(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken = default) => throw new IOException(Failure);
}
