using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Copies a database's WAL back into the file on a thread of its own, so the one writer does not. SQLite's automatic
/// checkpoint runs inside the commit that pushes the WAL past its limit, and every write queued behind that commit waits
/// for the copy and its fsyncs. Here a PASSIVE checkpoint (it never blocks the writer or readers) runs on its own
/// connection at most once per interval while commits arrive. When a pass copies every frame before the next commit,
/// that commit starts the WAL over from the beginning. Under steady writes that is rare, so the WAL still grows to the
/// writer's automatic checkpoint, kept as the backstop; that checkpoint then has only the frames since the last pass
/// left to copy, and the WAL starts over after it.
/// </summary>
internal sealed class SqliteWalCheckpointer : IDisposable
{
    private readonly Func<SqliteConnection> _open;
    private readonly TimeSpan _interval;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private int _pending;
    private long _checkpoints;
    private int _walFrames;
    private int _copiedFrames;
    private int _disposed;

    public SqliteWalCheckpointer(Func<SqliteConnection> open, TimeSpan interval, string fileName)
    {
        _open = open;
        _interval = interval;

        // A blocking native call that can take tens of milliseconds (it fsyncs): not a thread-pool thread's work.
        _thread = new Thread(Run) { IsBackground = true, Name = "SQLite checkpoint " + Path.GetFileName(fileName) };
        _thread.Start();
    }

    /// <summary>PASSIVE checkpoints that ran to the end (frames copied up to the WAL's end as it was when they started).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>The WAL's length in frames as the last checkpoint found it.</summary>
    public int WalFrames => Volatile.Read(ref _walFrames);

    /// <summary>The frames of the WAL that were in the database file after the last checkpoint.</summary>
    public int CopiedFrames => Volatile.Read(ref _copiedFrames);

    /// <summary>The writer committed: a checkpoint runs within the interval (one for any number of commits).</summary>
    public void Committed()
    {
        if (Volatile.Read(ref _disposed) == 0 && Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _wake.Release();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();

        // The thread holds a connection to the file; the caller closes the file's connections right after this.
        _thread.Join();

        // _wake is not disposed: a commit racing this Dispose may still release it, which must not throw after that
        // commit succeeded (it holds no wait handle, so there is nothing to free).
        _stop.Dispose();
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                _wake.Wait(_stop.Token);
                Volatile.Write(ref _pending, 0);
                try
                {
                    connection ??= _open();
                    Checkpoint(connection);
                }
                catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
                {
                    // The frames stay for the next round or the writer's backstop: nothing committed depends on this
                    // copy. The connection starts over, in case it is what failed.
                    connection?.Dispose();
                    connection = null;
                }

                if (_stop.Token.WaitHandle.WaitOne(_interval))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private void Checkpoint(SqliteConnection connection)
    {
        // BUSY means another checkpoint (the writer's backstop, another process) is running: it copies the same frames.
        var result = raw.sqlite3_wal_checkpoint_v2(connection.Handle!, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out var walFrames, out var copiedFrames);
        if (result == raw.SQLITE_OK)
        {
            Volatile.Write(ref _walFrames, walFrames);
            Volatile.Write(ref _copiedFrames, copiedFrames);
            Interlocked.Increment(ref _checkpoints);
        }
        else if (result != raw.SQLITE_BUSY)
        {
            throw new SqliteException($"SQLite checkpoint failed: {raw.sqlite3_errstr(result).utf8_to_string()}", result);
        }
    }
}
