namespace OrleansTrader.Grains.Abstractions.Storage;

/// <summary>One file of a backup: its name (as in the data directory) and its size in bytes.</summary>
public sealed record DataBackupFile(string Name, long Bytes);
