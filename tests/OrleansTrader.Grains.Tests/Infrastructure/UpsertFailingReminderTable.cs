using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>An in-memory reminder table failing the next registration when told to (its database unreachable).</summary>
internal sealed class UpsertFailingReminderTable : IReminderTable
{
    private readonly MemoryReminderTable _inner = new();

    public bool FailNextUpsert { get; set; }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => _inner.InitializeAsync(cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadRowsAsync(GrainId grainId, CancellationToken cancellationToken = default) =>
        _inner.ReadRowsAsync(grainId, cancellationToken);

    public Task<ReminderEntry?> ReadRowAsync(GrainId grainId, string reminderName, CancellationToken cancellationToken = default) =>
        _inner.ReadRowAsync(grainId, reminderName, cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadAllRowsAsync(CancellationToken cancellationToken = default) => _inner.ReadAllRowsAsync(cancellationToken);

    public Task<string> UpsertRowAsync(ReminderEntry entry, CancellationToken cancellationToken = default)
    {
        if (FailNextUpsert)
        {
            FailNextUpsert = false;
            throw new IOException("The reminder table is unreachable (test).");
        }

        return _inner.UpsertRowAsync(entry, cancellationToken);
    }

    public Task<bool> RemoveRowAsync(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken = default) =>
        _inner.RemoveRowAsync(grainId, reminderName, eTag, cancellationToken);
}
