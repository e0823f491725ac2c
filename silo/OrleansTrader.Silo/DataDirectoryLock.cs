using OrleansTrader.Runtime.AdoNet;

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
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        try
        {
            PrivateDirectory.Create(directory);

            // FileShare.None is an exclusive advisory lock on Unix and a sharing lock on Windows: either way a second
            // open fails while this one is held.
            _lock = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
        }
        catch (IOException ex) when (IsHeldByAnother(ex))
        {
            throw new InvalidOperationException(
                $"Another silo is running on the data directory {directory} (it holds {Path}). " +
                "Stop it, or give this one another Storage:DataDirectory.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only disk, a missing permission or a path through a file: not another silo, so say what failed.
            throw new InvalidOperationException(
                $"Could not create the lock file {Path} in the data directory {directory} (Storage:DataDirectory): {ex.Message}", ex);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>True when the open failed because another process holds the file: a sharing violation on Windows
    /// (ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION), the advisory lock .NET takes for FileShare.None on Unix (EWOULDBLOCK).</summary>
    private static bool IsHeldByAnother(IOException ex)
    {
        const int sharingViolation = 32;
        const int lockViolation = 33;
        if (OperatingSystem.IsWindows())
        {
            var code = ex.HResult & 0xFFFF;
            return code is sharingViolation or lockViolation;
        }

        // .NET reports a held flock on Unix as an IOException with HResult EWOULDBLOCK (11 on Linux, 35 on macOS/BSD).
        return ex.HResult == (OperatingSystem.IsLinux() ? 11 : 35);
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
