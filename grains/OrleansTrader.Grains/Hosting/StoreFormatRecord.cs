namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// The store's format record: the highest <see cref="StoreFormat.Current"/> a silo has started on it, and the last build
/// that started. Every build reads it, so its members are only ever added to, never renamed or given another meaning.
/// </summary>
internal sealed record StoreFormatRecord
{
    public int Format { get; set; }

    public string? LastBuild { get; set; }

    public DateTimeOffset? LastStartedAt { get; set; }
}
