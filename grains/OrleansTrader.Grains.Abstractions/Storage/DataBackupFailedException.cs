namespace OrleansTrader.Grains.Abstractions.Storage;

/// <summary>
/// A backup that could not be written (the backup folder cannot be created or written, the disk is full); its message
/// names the folder. Nothing of it is left under a backup's name.
/// </summary>
public sealed class DataBackupFailedException : Exception
{
    public DataBackupFailedException()
    {
    }

    public DataBackupFailedException(string message)
        : base(message)
    {
    }

    public DataBackupFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
