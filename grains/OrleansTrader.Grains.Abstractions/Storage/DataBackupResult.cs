namespace OrleansTrader.Grains.Abstractions.Storage;

/// <summary>A backup written by <see cref="IDataBackup"/>: its folder and files, and when it was taken.</summary>
public sealed record DataBackupResult
{
    /// <summary>The backup's folder, an absolute path on the silo's machine.</summary>
    public required string Directory { get; init; }

    /// <summary>The files in the folder, in the order they were copied.</summary>
    public required IReadOnlyList<DataBackupFile> Files { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>The older backups of this silo deleted after this one was written (Storage:BackupsKept), oldest first.</summary>
    public IReadOnlyList<string> Deleted { get; init; } = [];
}
