using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Silo.Tests;

public sealed class DataDirectoryLockTests
{
    [Fact]
    public async Task ANewDataDirectory_IsCreatedOwnerOnly()
    {
        // It holds the databases (orders, webhook signing secrets): created 0755 before, readable by every local user.
        if (OperatingSystem.IsWindows())
        {
            return; // Unix permissions; Windows folders inherit their parent's access list.
        }

        using var directory = new SiloDataDirectory("owner-only");
        var dataDirectory = Path.Combine(directory.Path, "data");
        using var directoryLock = new DataDirectoryLock(dataDirectory);

        await directoryLock.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(PrivateDirectory.OwnerOnly, File.GetUnixFileMode(dataDirectory));
    }

    [Fact]
    public async Task AnIoErrorThatIsNoHeldLock_SaysWhatFailed_NotThatAnotherSiloRuns()
    {
        // Every IOException read "Another silo is running on the data directory", so a path through a file (or a read-only
        // disk) sent the operator looking for a silo that did not exist. A path under a regular file fails even as root.
        var file = Path.GetTempFileName();
        try
        {
            var dataDirectory = Path.Combine(file, "sub");
            using var directoryLock = new DataDirectoryLock(dataDirectory);

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => directoryLock.StartAsync(TestContext.Current.CancellationToken));

            Assert.DoesNotContain("Another silo", error.Message, StringComparison.Ordinal);
            Assert.Contains($"Could not create the lock file {directoryLock.Path}", error.Message, StringComparison.Ordinal);
            Assert.Contains("Storage:DataDirectory", error.Message, StringComparison.Ordinal);
            Assert.EndsWith(error.InnerException!.Message, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ALockFileThatCannotBeOpened_SaysWhatFailed_NotThatAnotherSiloRuns()
    {
        // The open itself fails with an IOException that is no held lock: the lock file links to a path under a regular file.
        using var directory = new SiloDataDirectory("lock-unopenable");
        var file = Path.GetTempFileName();
        try
        {
            Directory.CreateDirectory(directory.Path);
            File.CreateSymbolicLink(Path.Combine(directory.Path, DataDirectoryLock.FileName), Path.Combine(file, "silo.lock"));
            using var directoryLock = new DataDirectoryLock(directory.Path);

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => directoryLock.StartAsync(TestContext.Current.CancellationToken));

            Assert.DoesNotContain("Another silo", error.Message, StringComparison.Ordinal);
            Assert.Contains($"Could not create the lock file {directoryLock.Path}", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ALockHeldByAnotherHandle_SaysAnotherSiloRuns()
    {
        using var directory = new SiloDataDirectory("lock-held");
        using var first = new DataDirectoryLock(directory.Path);
        await first.StartAsync(TestContext.Current.CancellationToken);
        using var second = new DataDirectoryLock(directory.Path);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Another silo is running on the data directory", error.Message, StringComparison.Ordinal);
    }
}
