using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// One SQLite database file as the providers use it: pooled connections opened with a busy timeout, a 16 MiB page
/// cache and synchronous=NORMAL (safe with WAL: a crash of the machine can lose the last commits but never corrupts the
/// file), WAL journal mode set once, WAL checkpoints on a background thread (<see cref="SqliteWalCheckpointer"/>) with
/// SQLite's own every 16384 pages (64 MiB at 4 KiB pages, not its default 1000) as the backstop, and in-process group
/// commit. SQLite admits one writer at a time; queuing writers here and
/// committing whatever queued up meanwhile in one transaction, instead of letting them collide on the file lock and
/// commit one by one, keeps write latency flat and throughput high under concurrency. The busy timeout still covers
/// other processes and other instances on the file.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private static readonly Lazy<bool> NativeLibrary = new(() =>
    {
        SQLitePCL.Batteries_V2.Init();
        return true;
    });

    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    // Enough to amortize a commit over many writes, small enough that one group's transaction stays short.
    private const int MaxWritesPerCommit = 256;
    private readonly Queue<PendingWrite> _queue = new();
    // The native connections this instance has applied its pragmas to: a pooled connection keeps them, so a reopen
    // runs no statement before the caller's.
    private readonly ConditionalWeakTable<sqlite3, object> _configured = [];
    // The write connection's statements by SQL text, prepared once and re-bound per write (only the drainer uses them).
    private readonly Dictionary<string, SqliteWriteStatement> _writeStatements = new(StringComparer.Ordinal);
    private bool _draining;
    // Readers past the disposed check whose connection is not open yet: the file is closed only once none is left.
    private int _readersOpening;
    // A group holds the write connection: from taking its writes until just before their tasks complete.
    private bool _groupRunning;
    private bool _disposed;
    private readonly Lock _closeLock = new();
    private bool _fileClosed;
    private readonly TimeSpan _checkpointInterval;
    private SqliteWalCheckpointer? _checkpointer;
    private readonly AsyncOnce _journalMode;
    private SqliteConnection? _writeConnection;
    private readonly SqliteMetrics.Series? _metrics;
    // The store's own failure at the latest write that ended either way (a full disk, an I/O error, a read-only file),
    // or null once a write committed after it: readiness reports it, since reads go on working meanwhile.
    private volatile SqliteException? _storeFault;

    // SyncBeforeCommit: the other file, and how to find this process's databases on it (null: sync it at every commit).
    private readonly string? _syncFirst;
    private readonly Func<string, SqliteDatabase[]>? _findDatabases;

    // Groups committed, and how many of them the last sync of the WAL covered (see SyncCommitted).
    private long _commits;
    private long _syncedCommits;
    private readonly Lock _walSyncLock = new();

    public SqliteDatabase(SqliteStorageOptions options)
        : this(options, metrics: null)
    {
    }

    /// <summary>
    /// With <paramref name="metrics"/>, the group commit reports its writes, commits, group durations and queue;
    /// <paramref name="findDatabases"/> gives this process's databases on a file, for <see cref="SqliteStorageOptions.SyncBeforeCommit"/>.
    /// </summary>
    internal SqliteDatabase(SqliteStorageOptions options, SqliteMetrics? metrics, Func<string, SqliteDatabase[]>? findDatabases = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        SqliteStorageOptionsValidator.ThrowIfInvalid(options);
        _ = NativeLibrary.Value;

        var builder = BuildConnectionString(options);
        FilePath = Path.GetFullPath(builder.DataSource);
        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
        {
            PrivateDirectory.Create(directory);
        }

        _connectionString = builder.ToString();
        TablePrefix = options.TablePrefix;
        _checkpointInterval = options.WalCheckpointInterval;
        _syncFirst = options.SyncBeforeCommit is { } other ? Path.GetFullPath(other) : null;
        _findDatabases = findDatabases;
        CommandTimeoutSeconds = CommandTimeouts.ToSeconds(options.CommandTimeout);
        var busyMilliseconds = (long)Math.Ceiling(options.BusyTimeout.TotalMilliseconds);

        // Checkpoints normally run on a thread of their own (SqliteWalCheckpointer); SQLite's automatic one, inside the
        // commit that crosses the limit, is the backstop. The same hot pages (small records, index leaves, table tails)
        // are rewritten by most commits, so a high limit copies each of them to the file once for many commits.
        _connectionPragmas = string.Create(
            CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {busyMilliseconds}; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 16384;");
        _journalMode = new AsyncOnce(SetWalModeAsync);
        _metrics = metrics?.For(FilePath, TablePrefix, QueuedWrites);
    }

    /// <summary>The absolute path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>The validated table prefix.</summary>
    public string TablePrefix { get; }

    internal int CommandTimeoutSeconds { get; }

    /// <summary>
    /// Why the latest write failed when the store itself refused it (full disk, I/O error, read-only or unopenable file,
    /// corruption); null when the latest write committed, or failed for its own reason (a constraint, a lock, a cancel).
    /// </summary>
    internal SqliteException? StoreFault => _storeFault;

    /// <summary>
    /// Opens a pooled connection with the per-connection settings applied; WAL mode is ensured on first use. Not after
    /// Dispose: a connection opened once Dispose cleared the file's pool goes back to a new pool and keeps the file open.
    /// One that Dispose overtook while it opened is closed again and throws too, and the file is closed after it.
    /// </summary>
    public Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        lock (_queue)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _readersOpening++;
        }

        return OpenForReaderAsync(cancellationToken);
    }

    /// <summary>Runs between a reader's disposed check and its open (for tests of a Dispose that comes in between).</summary>
    internal Func<Task>? ReaderAdmitted { get; set; }

    private async Task<SqliteConnection> OpenForReaderAsync(CancellationToken cancellationToken)
    {
        SqliteConnection connection;
        try
        {
            if (ReaderAdmitted is { } admitted)
            {
                await admitted();
            }

            connection = await OpenPooledAsync(cancellationToken);
        }
        catch
        {
            ReaderOpened();
            throw;
        }

        lock (_queue)
        {
            if (!_disposed)
            {
                _readersOpening--;
                return connection;
            }
        }

        // Dispose came meanwhile and may have cleared the pool before this connection opened into a new one: it goes back
        // first, so that the close below, or the drainer's, finds it there.
        await connection.DisposeAsync();
        ReaderOpened();
        throw new ObjectDisposedException(GetType().FullName);
    }

    /// <summary>A reader's open ended; the last one after Dispose closes the file, unless writes are left for the drainer.</summary>
    private void ReaderOpened()
    {
        bool closeFile;
        lock (_queue)
        {
            _readersOpening--;
            closeFile = _disposed && _readersOpening == 0 && !WritesLeft;
        }

        if (closeFile)
        {
            CloseFile();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> as the only writer of this instance, atomically (under a savepoint of its own inside
    /// a group's IMMEDIATE transaction); the task completes once the group has committed.
    /// </summary>
    internal Task<T> WriteAsync<T>(
        Func<SqliteConnection, SqliteTransaction?, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        WriteCoreAsync(work, needsTransaction: true, cancellationToken);

    /// <summary>
    /// One statement, atomic on its own: alone it autocommits; in a group it runs without a savepoint, since SQLite undoes a
    /// failed statement's own changes and nothing else. <paramref name="work"/> must run exactly one data-changing
    /// statement and fail only when that statement fails.
    /// </summary>
    internal Task<T> WriteStatementAsync<T>(
        Func<SqliteConnection, SqliteTransaction?, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        WriteCoreAsync(work, needsTransaction: false, cancellationToken);

    internal SqliteCommand CreateCommand(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.CommandTimeout = CommandTimeoutSeconds;
        return command;
    }

    /// <summary>
    /// A statement on the write connection for work run by <see cref="WriteAsync{T}"/> or <see cref="WriteStatementAsync{T}"/>,
    /// run through SQLite's own API (<see cref="SqliteWriteStatement"/>). It stays prepared from one write to the next and
    /// is owned here: the caller binds and runs it, and does not dispose it.
    /// </summary>
    internal SqliteWriteStatement WriteStatement(SqliteConnection connection, string sql)
    {
        if (!ReferenceEquals(connection, _writeConnection))
        {
            throw new InvalidOperationException("Write statements belong to the write connection; create other commands with CreateCommand.");
        }

        if (!_writeStatements.TryGetValue(sql, out var statement))
        {
            statement = new SqliteWriteStatement(connection, sql);
            _writeStatements.Add(sql, statement);
        }

        return statement;
    }

    /// <summary>Closes the write connection and drops this file's pooled connections so the file can be closed, moved or deleted.</summary>
    public void Dispose()
    {
        _metrics?.Dispose();
        SqliteWalCheckpointer? checkpointer;
        bool inUse;
        lock (_queue)
        {
            _disposed = true;
            checkpointer = _checkpointer;
            inUse = WritesLeft || _readersOpening > 0;
        }

        checkpointer?.Dispose();

        // A running group owns the write connection (closing it would end its transaction under it), and writes queued
        // before Dispose still get their group: then the drainer closes the file once the queue is empty. A reader still
        // opening would open the file again after the close: the last of them closes it.
        if (!inUse)
        {
            CloseFile();
        }
    }

    /// <summary>
    /// Once: Dispose and the drainer's last turn can both come here (Dispose finds the queue empty while the drainer has not
    /// yet seen it empty). A second close cleared the file's connection pool again, late, while another database on the
    /// same file (a restarted silo in a test) was closing its own connection into that pool, and SQLite's Close failed.
    /// </summary>
    private void CloseFile()
    {
        lock (_closeLock)
        {
            if (_fileClosed)
            {
                return;
            }

            _fileClosed = true;
            FileCloses++;
            DropWriteConnection();
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }
    }

    /// <summary>
    /// A group runs or writes wait for one: the drainer still needs the write connection, and closes the file after them.
    /// Under the queue's lock.
    /// </summary>
    private bool WritesLeft => _groupRunning || (_draining && _queue.Count > 0);

    /// <summary>How many times the file was closed: once after Dispose, never more.</summary>
    internal int FileCloses { get; private set; }

    /// <summary>Whether a drainer is still running groups or its last turn.</summary>
    internal bool Draining
    {
        get
        {
            lock (_queue)
            {
                return _draining;
            }
        }
    }

    internal static SqliteConnectionStringBuilder BuildConnectionString(SqliteStorageOptions options)
    {
        var builder = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = options.DataSource }
            : new SqliteConnectionStringBuilder(options.ConnectionString);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            builder.Mode = SqliteOpenMode.ReadWriteCreate;
            builder.Cache = SqliteCacheMode.Private;
            builder.Pooling = true;
        }

        builder.DefaultTimeout = CommandTimeouts.ToSeconds(options.CommandTimeout);
        return builder;
    }

    private Task<T> WriteCoreAsync<T>(
        Func<SqliteConnection, SqliteTransaction?, CancellationToken, Task<T>> work, bool needsTransaction, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var write = new PendingWrite<T>(work, needsTransaction, cancellationToken);
        bool drain;
        lock (_queue)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _queue.Enqueue(write);
            drain = !_draining;
            _draining = true;
        }

        if (drain)
        {
            // The first writer drains inline (no thread hop for a lone writer); DrainAsync yields before any later group.
            _ = DrainAsync();
        }

        return write.Task;
    }

    /// <summary>
    /// Group commit: one drainer takes every write queued meanwhile and runs them in one IMMEDIATE transaction, each
    /// multi-statement write under its own savepoint, so a failing write rolls back alone and the rest share one commit (one WAL append instead of one
    /// per write). A write's task completes only after the commit that made it durable.
    /// </summary>
    private async Task DrainAsync()
    {
        var batch = new List<PendingWrite>();
        var closeFile = false;
        for (var group = 0; ; group++)
        {
            if (group > 0)
            {
                // Later groups are other writers' work: leave the first writer's thread to it.
                await Task.Yield();
            }

            lock (_queue)
            {
                while (batch.Count < MaxWritesPerCommit && _queue.TryDequeue(out var next))
                {
                    batch.Add(next);
                }

                if (batch.Count == 0)
                {
                    // Draining until the file is closed: Draining covers the whole last turn, its close included.
                    closeFile = _disposed && _readersOpening == 0;
                    _draining = closeFile;
                }

                _groupRunning = batch.Count > 0;
            }

            if (batch.Count == 0)
            {
                if (closeFile)
                {
                    CloseFile();
                    lock (_queue)
                    {
                        _draining = false;
                    }
                }

                return;
            }

            await RunGroupAsync(batch);
            batch.Clear();
        }
    }

    /// <summary>
    /// Makes what this database has committed so far durable: one fsync of its WAL, skipped when nothing was committed
    /// since the last one. Concurrent callers share a sync.
    /// </summary>
    internal void SyncCommitted()
    {
        var needed = Interlocked.Read(ref _commits);
        if (needed <= Interlocked.Read(ref _syncedCommits))
        {
            return;
        }

        lock (_walSyncLock)
        {
            if (needed <= _syncedCommits)
            {
                return;
            }

            var covered = Interlocked.Read(ref _commits);
            var started = Stopwatch.GetTimestamp();
            SyncWal(FilePath);
            _metrics?.WalSynced(Stopwatch.GetElapsedTime(started));
            Interlocked.Exchange(ref _syncedCommits, covered);
        }
    }

    /// <summary>Whether this database committed anything its last WAL sync did not cover.</summary>
    private bool HasUnsyncedCommits => Interlocked.Read(ref _commits) > Interlocked.Read(ref _syncedCommits);

    /// <summary>
    /// Starts the fsync behind <see cref="SqliteStorageOptions.SyncBeforeCommit"/>, to run beside the group's statements;
    /// null when there is none to wait for (no such file, or this process committed nothing there since its last sync).
    /// </summary>
    private Task? StartPrerequisiteSync()
    {
        if (_syncFirst is not { } other)
        {
            return null;
        }

        var databases = _findDatabases?.Invoke(other);
        if (databases is null)
        {
            // Nothing tells what the other file committed: sync it every time.
            return Task.Run(() => SyncWal(other));
        }

        var unsynced = Array.FindAll(databases, d => d.HasUnsyncedCommits);
        return unsynced.Length == 0 ? null : Task.Run(() =>
        {
            foreach (var database in unsynced)
            {
                database.SyncCommitted();
            }
        });
    }

    /// <summary>fsync of a database's WAL (any descriptor syncs the file). No WAL: SQLite removes it only once all of it is checkpointed and synced.</summary>
    private static void SyncWal(string databasePath)
    {
        try
        {
            using var wal = new FileStream(databasePath + "-wal", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            wal.Flush(flushToDisk: true);
        }
        catch (FileNotFoundException)
        {
        }
    }

    /// <summary>
    /// Runs one group and commits it. A lone write runs as it would alone: a statement autocommits, any other write gets an
    /// IMMEDIATE transaction of its own. In a larger group a failing write rolls back only itself: a single statement by
    /// SQLite's statement atomicity, any other write by its savepoint.
    /// </summary>
    private async Task RunGroupAsync(List<PendingWrite> batch)
    {
        var alone = batch.Count == 1;
        var started = Stopwatch.GetTimestamp();
        var canceled = 0;
        SqliteConnection? connection = null;
        var succeeded = new List<PendingWrite>(batch.Count);
        SqliteException? storeFault = null;

        // SyncBeforeCommit: the other file's sync runs while this group's statements do, and the commit waits for it. A
        // group that fails or is canceled before that wait leaves the sync's failure to the continuation, not unobserved.
        var prerequisite = StartPrerequisiteSync();
        _ = prerequisite?.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        try
        {
            // Writes queued before Dispose still run after it, so the write connection may open then (the drainer closes it).
            connection = _writeConnection ??= await OpenPooledAsync(CancellationToken.None);

            // deferred: false is BEGIN IMMEDIATE: take the write lock up front, so a read inside the transaction
            // can never need an upgrade that another writer would make fail.
            await using var transaction = alone && !batch[0].NeedsTransaction ? null : connection.BeginTransaction(deferred: false);
            foreach (var write in batch)
            {
                if (write.CancellationToken.IsCancellationRequested)
                {
                    write.Cancel();
                    canceled++;
                    continue;
                }

                if (alone)
                {
                    // Its failure is the group's: the catch below fails it and drops the connection. Without a transaction
                    // the write commits itself, so the other file's sync comes first.
                    if (transaction is null && prerequisite is not null)
                    {
                        await prerequisite;
                    }

                    await write.RunAsync(connection, transaction);
                    succeeded.Add(write);
                    continue;
                }

                if (!write.NeedsTransaction)
                {
                    try
                    {
                        await write.RunAsync(connection, transaction);
                        succeeded.Add(write);
                    }
                    catch (Exception ex) when (!TransactionLost(connection))
                    {
                        // The failed statement undid its own changes; the group's transaction goes on.
                        storeFault ??= AsStoreFault(ex);
                        write.Fail(ex);
                    }

                    continue;
                }

                WriteStatement(connection, "SAVEPOINT w;").Execute();
                try
                {
                    await write.RunAsync(connection, transaction);
                    WriteStatement(connection, "RELEASE w;").Execute();
                    succeeded.Add(write);
                }
                catch (Exception ex) when (!TransactionLost(connection))
                {
                    // A lost transaction took the savepoint with it: ROLLBACK TO would fail with "no such savepoint" and
                    // that error, not the cause, would reach every writer. The group fails as a whole below instead.
                    WriteStatement(connection, "ROLLBACK TO w;").Execute();
                    WriteStatement(connection, "RELEASE w;").Execute();
                    storeFault ??= AsStoreFault(ex);
                    write.Fail(ex);
                }
            }

            if (transaction is not null)
            {
                if (prerequisite is not null)
                {
                    await prerequisite;
                }

                await transaction.CommitAsync(CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            // Nothing of this group is durable: every write that had not failed on its own fails with the cause. The
            // connection's state is unknown; the next group starts from a fresh one.
            DropWriteConnection();
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            _metrics?.Group(committed: 0, failed: batch.Count - canceled, canceled, commitSucceeded: false, Stopwatch.GetElapsedTime(started));
            if ((storeFault ?? AsStoreFault(ex)) is { } fault)
            {
                _storeFault = fault;
            }

            EndGroup();
            foreach (var write in batch)
            {
                write.Fail(ex);
            }

            return;
        }

        _metrics?.Group(succeeded.Count, batch.Count - succeeded.Count - canceled, canceled, commitSucceeded: true, Stopwatch.GetElapsedTime(started));
        if (storeFault is not null)
        {
            _storeFault = storeFault;
        }
        else if (succeeded.Count > 0)
        {
            _storeFault = null;
        }

        Interlocked.Increment(ref _commits);
        Checkpointer()?.Committed();
        EndGroup();
        foreach (var write in succeeded)
        {
            write.Complete();
        }
    }

    /// <summary>
    /// The error when it is the store's and not the write's: SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN,
    /// SQLITE_CORRUPT or SQLITE_NOTADB (primary codes; an extended code carries its primary one in the low byte).
    /// </summary>
    private static SqliteException? AsStoreFault(Exception error) =>
        error is SqliteException sqlite && (sqlite.SqliteErrorCode & 0xFF) is 8 or 10 or 11 or 13 or 14 or 26 ? sqlite : null;

    /// <summary>
    /// The group is done with the connection. Before its writes complete: a caller that disposes the database as soon as
    /// its write returns must find no group running, and the file closed by its own Dispose.
    /// </summary>
    private void EndGroup()
    {
        lock (_queue)
        {
            _groupRunning = false;
        }
    }

    private int QueuedWrites()
    {
        lock (_queue)
        {
            return _queue.Count;
        }
    }

    /// <summary>
    /// Some errors (I/O, a full disk, an interrupt) make SQLite roll back the whole transaction, not just the failed
    /// statement: then none of the group's earlier writes will commit, and the group must fail as a whole.
    /// </summary>
    private static bool TransactionLost(SqliteConnection connection) => raw.sqlite3_get_autocommit(connection.Handle) != 0;

    /// <summary>The background checkpointer once a commit has started it; null before, when turned off, and after Dispose.</summary>
    internal SqliteWalCheckpointer? WalCheckpointer
    {
        get
        {
            lock (_queue)
            {
                return _disposed ? null : _checkpointer;
            }
        }
    }

    /// <summary>Started by the first commit (a file only read needs none); null once disposed.</summary>
    private SqliteWalCheckpointer? Checkpointer()
    {
        lock (_queue)
        {
            if (_checkpointer is null && !_disposed && _checkpointInterval > TimeSpan.Zero)
            {
                _checkpointer = new SqliteWalCheckpointer(OpenCheckpointConnection, _checkpointInterval, FilePath);
            }

            return _disposed ? null : _checkpointer;
        }
    }

    private SqliteConnection OpenCheckpointConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var pragmas = CreateCommand(connection, _connectionPragmas);
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void DropWriteConnection()
    {
        foreach (var statement in _writeStatements.Values)
        {
            statement.Dispose();
        }

        _writeStatements.Clear();
        _writeConnection?.Dispose();
        _writeConnection = null;
    }

    private async Task<SqliteConnection> OpenPooledAsync(CancellationToken cancellationToken)
    {
        await _journalMode.EnsureAsync().WaitAsync(cancellationToken);
        return await OpenRawAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var handle = connection.Handle!;
            if (!_configured.TryGetValue(handle, out _))
            {
                await using var pragmas = CreateCommand(connection, _connectionPragmas);
                await pragmas.ExecuteNonQueryAsync(cancellationToken);
                _configured.AddOrUpdate(handle, this);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task SetWalModeAsync(CancellationToken cancellationToken)
    {
        // WAL is a property of the file, so it sticks once set; readers then never block the writer or each other.
        await using var connection = await OpenRawAsync(cancellationToken);
        await using var command = CreateCommand(connection, "PRAGMA journal_mode = WAL;");
        var mode = (string?)await command.ExecuteScalarAsync(cancellationToken);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL journal mode for '{FilePath}' (it reports '{mode}').");
        }
    }
}

/// <summary>One queued write of <see cref="SqliteDatabase"/>'s group commit.</summary>
internal abstract class PendingWrite(bool needsTransaction, CancellationToken cancellationToken)
{
    public bool NeedsTransaction { get; } = needsTransaction;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public abstract Task RunAsync(SqliteConnection connection, SqliteTransaction? transaction);

    public abstract void Complete();

    public abstract void Fail(Exception error);

    public abstract void Cancel();
}

internal sealed class PendingWrite<T>(
    Func<SqliteConnection, SqliteTransaction?, CancellationToken, Task<T>> work, bool needsTransaction, CancellationToken cancellationToken)
    : PendingWrite(needsTransaction, cancellationToken)
{
    // Asynchronous continuations: the drainer must not run the writers' code (grain turns) before it takes the next group.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    public Task<T> Task => _completion.Task;

    public override async Task RunAsync(SqliteConnection connection, SqliteTransaction? transaction) =>
        _result = await work(connection, transaction, CancellationToken);

    public override void Complete() => _completion.TrySetResult(_result);

    public override void Fail(Exception error) => _completion.TrySetException(error);

    public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
}
