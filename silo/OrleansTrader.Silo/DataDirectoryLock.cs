namespace OrleansTrader.Silo;

/// <summary>
/// One silo per SQLite data directory: the silo holds an exclusive lock on a file there while it runs, and a second
/// silo started on the same directory (a second terminal, a second service) stops at once with a message instead of
/// activating the same grains over the same files. The operating system drops the lock when the process ends.
/// </summary>
/// <remarks>Registered before the grain runtime, like <see cref="SiloLeaseService"/>, so it is released after it stops.</remarks>
public sealed class DataDirectoryLock(string dataDirectory) : IHostedService, IDisposable
{
    public const string FileName = "silo.lock";

    private FileStream? _lock;

    public string Path { get; } = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDirectory, FileName));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        try
        {
            // FileShare.None is an exclusive advisory lock on Unix and a sharing lock on Windows: either way a second
            // open fails while this one is held.
            _lock = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"Another silo is running on the data directory {System.IO.Path.GetDirectoryName(Path)} (it holds {Path}). " +
                "Stop it, or give this one another Storage:DataDirectory.", ex);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
