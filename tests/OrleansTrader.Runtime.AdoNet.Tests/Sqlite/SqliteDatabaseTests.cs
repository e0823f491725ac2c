using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using OrleansTrader.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orleanstrader-adonet-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Constructor_CreatesMissingDirectory_ForDataSourcePath()
    {
        var path = Path.Combine(_root, "data", "nested", "orleanstrader.db");

        using (var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = path }))
        {
            await new SqliteGrainStorage(database, TestJsonSerializer.Instance).InitializeAsync(Ct);
        }

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Constructor_CreatesTheMissingDirectoryOfTheFile_OwnerOnly()
    {
        // The files hold every account's orders and the webhooks' signing secrets in the clear: the folders were created
        // with the default mode (0755), so any user of the machine could read them.
        if (OperatingSystem.IsWindows())
        {
            return; // Unix permissions; Windows folders inherit their parent's access list.
        }

        var nested = Path.Combine(_root, "private", "nested");

        using (new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(nested, "orleanstrader.db") }))
        {
        }

        Assert.Equal(PrivateDirectory.OwnerOnly, File.GetUnixFileMode(nested));
    }

    [Fact]
    public void Constructor_LeavesAnExistingDirectorysPermissions()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix permissions; Windows folders inherit their parent's access list.
        }

        var shared = Path.Combine(_root, "shared");
        const UnixFileMode chosen = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, chosen);

        using (new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(shared, "orleanstrader.db") }))
        {
        }

        Assert.Equal(chosen, File.GetUnixFileMode(shared));
    }

    [Fact]
    public async Task InitializeAsync_PutsFileInWalMode()
    {
        var path = Path.Combine(_root, "wal.db");
        using (var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = path }))
        {
            await new SqliteDurableStreamLog(database).InitializeAsync(Ct);
        }

        // A plain connection, not the provider's: WAL must be a property of the file itself.
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task GroupCommit_RollsBackOnlyTheFailingWrite_AndCommitsTheRestOfItsGroup()
    {
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(_root, "group.db") });
        await CreateTableAsync(database);

        // The first write holds the writer until released, so the next ones queue up and run as one group.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await HoldWriterAsync(database, release.Task);
        var queued = Enumerable.Range(1, 20).Select(id => database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                var inserted = await Insert(database, connection, transaction, id, ct);

                // Every fifth write fails after its insert: only that insert may be undone.
                return id % 5 == 0 ? throw new InvalidOperationException($"write {id} failed") : inserted;
            },
            Ct)).ToList();
        release.SetResult();

        Assert.Equal(1, await first);
        for (var id = 1; id <= 20; id++)
        {
            if (id % 5 == 0)
            {
                var error = await Assert.ThrowsAsync<InvalidOperationException>(() => queued[id - 1]);
                Assert.Equal($"write {id} failed", error.Message);
            }
            else
            {
                Assert.Equal(1, await queued[id - 1]);
            }
        }

        await using var reader = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.FilePath, Pooling = false }.ToString());
        await reader.OpenAsync(Ct);
        await using var command = reader.CreateCommand();
        command.CommandText = "SELECT group_concat(id) FROM (SELECT id FROM t ORDER BY id);";
        var expected = string.Join(',', Enumerable.Range(0, 21).Where(id => id == 0 || id % 5 != 0));
        Assert.Equal(expected, (string?)await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task GroupCommit_FailsOnlyTheFailingStatement_AndCommitsTheRestOfItsGroup()
    {
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(_root, "statements.db") });
        await CreateTableAsync(database);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await HoldWriterAsync(database, release.Task);

        // Statement writes run in the group without savepoints: a duplicate key fails its own insert and nothing else.
        var ids = new[] { 1, 2, 1, 3, 2, 4 };
        var queued = ids.Select(id => database.WriteStatementAsync(
            (connection, transaction, ct) => PreparedInsert(database, connection, transaction, id, ct), Ct)).ToList();
        release.SetResult();

        Assert.Equal(1, await first);
        for (var i = 0; i < ids.Length; i++)
        {
            if (Array.IndexOf(ids, ids[i]) < i)
            {
                await Assert.ThrowsAsync<SqliteException>(() => queued[i]);
            }
            else
            {
                Assert.Equal(1, await queued[i]);
            }
        }

        await using var reader = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.FilePath, Pooling = false }.ToString());
        await reader.OpenAsync(Ct);
        Assert.Equal("0,1,2,3,4", await ScalarAsync(reader, "SELECT group_concat(id) FROM (SELECT id FROM t ORDER BY id);"));
    }

    [Fact]
    public async Task GroupCommit_FailsEveryWriteWithTheCause_WhenAWriteUnderItsSavepointLosesTheTransaction()
    {
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(_root, "lost.db") });
        await CreateTableAsync(database);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await HoldWriterAsync(database, release.Task);

        // The middle write's insert is interrupted: SQLite rolls back the whole group's transaction (as it may on a full
        // disk or an I/O error), its savepoint included.
        var queued = Enumerable.Range(1, 3).Select(id => database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                if (id != 2)
                {
                    return await Insert(database, connection, transaction, id, ct);
                }

                SQLitePCL.raw.sqlite3_progress_handler(connection.Handle, 1, _ => 1, null);
                try
                {
                    return await Insert(database, connection, transaction, id, ct);
                }
                finally
                {
                    SQLitePCL.raw.sqlite3_progress_handler(connection.Handle, 0, null, null);
                }
            },
            Ct)).ToList();
        release.SetResult();

        Assert.Equal(1, await first);
        foreach (var write in queued)
        {
            var error = await Assert.ThrowsAsync<SqliteException>(() => write);
            Assert.Equal(9, error.SqliteErrorCode); // SQLITE_INTERRUPT, the cause, not a follow-on error
        }

        await using var reader = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.FilePath, Pooling = false }.ToString());
        await reader.OpenAsync(Ct);
        Assert.Equal("0", await ScalarAsync(reader, "SELECT group_concat(id) FROM t;"));
    }

    [Fact]
    public async Task WriteStatement_IsOneStatementPerText_OnTheWriteConnectionOnly_WithItsBindingsDroppedAfterEachRun()
    {
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(_root, "prepared.db") });
        const string Sql = "SELECT @value;";
        var (first, bound) = await database.WriteStatementAsync(
            (connection, _, _) =>
            {
                var statement = database.WriteStatement(connection, Sql);
                statement.Bind("@value", 42);
                return Task.FromResult((statement, statement.ExecuteScalar()));
            },
            Ct);
        var (second, unbound) = await database.WriteStatementAsync(
            (connection, _, _) =>
            {
                var statement = database.WriteStatement(connection, Sql);
                return Task.FromResult((statement, statement.ExecuteScalar()));
            },
            Ct);

        Assert.Same(first, second);
        Assert.Equal(42, bound);
        Assert.Null(unbound);
        Assert.Throws<ArgumentException>(() => first.Bind("@missing", 1));
        await using var other = await database.OpenConnectionAsync(Ct);
        Assert.Throws<InvalidOperationException>(() => database.WriteStatement(other, Sql));
    }

    [Fact]
    public async Task WriteStatement_ThatFails_ReportsSqlitesError_AndRunsAgainAfterwards()
    {
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(_root, "failing.db") });
        await CreateTableAsync(database);
        await database.WriteStatementAsync((connection, transaction, ct) => PreparedInsert(database, connection, transaction, 1, ct), Ct);

        var duplicate = await Assert.ThrowsAsync<SqliteException>(
            () => database.WriteStatementAsync((connection, transaction, ct) => PreparedInsert(database, connection, transaction, 1, ct), Ct));
        Assert.Equal(19, duplicate.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("UNIQUE", duplicate.Message, StringComparison.Ordinal);
        Assert.Equal(1, await database.WriteStatementAsync((connection, transaction, ct) => PreparedInsert(database, connection, transaction, 2, ct), Ct));

        // A statement SQLite cannot compile fails that write alone; the writer goes on.
        var syntax = await Assert.ThrowsAsync<SqliteException>(
            () => database.WriteStatementAsync((connection, _, _) => Task.FromResult(database.WriteStatement(connection, "INSERT INTO missing VALUES (1);").Execute()), Ct));
        Assert.Contains("no such table", syntax.Message, StringComparison.Ordinal);
        Assert.Equal(1, await database.WriteStatementAsync((connection, transaction, ct) => PreparedInsert(database, connection, transaction, 3, ct), Ct));

        await using var reader = await database.OpenConnectionAsync(Ct);
        Assert.Equal("1,2,3", await ScalarAsync(reader, "SELECT group_concat(id) FROM (SELECT id FROM t ORDER BY id);"));
    }

    /// <summary>Makes SQLite roll back every commit of the write connection, as a full disk fails the WAL append at commit.</summary>
    private static Task<int> FailCommitsAsync(SqliteDatabase database) => database.WriteStatementAsync(
        (connection, _, _) =>
        {
            SQLitePCL.raw.sqlite3_commit_hook(connection.Handle, _ => 1, null);
            return Task.FromResult(0);
        },
        Ct);

    private static Task<int> CreateTableAsync(SqliteDatabase database) => database.WriteStatementAsync(
        async (connection, transaction, ct) =>
        {
            await using var command = database.CreateCommand(connection, "CREATE TABLE t (id INTEGER PRIMARY KEY);", transaction);
            return await command.ExecuteNonQueryAsync(ct);
        },
        Ct);

    /// <summary>
    /// Starts a write that inserts id 0 once <paramref name="release"/> completes, holding the writer meanwhile, and returns
    /// it once it runs: writes queued after that cannot join its group, so they queue into the next one.
    /// </summary>
    private static async Task<Task<int>> HoldWriterAsync(SqliteDatabase database, Task release)
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                running.SetResult();
                await release;
                return await Insert(database, connection, transaction, 0, ct);
            },
            Ct);
        await running.Task;
        return held;
    }

    private static Task<int> PreparedInsert(SqliteDatabase database, SqliteConnection connection, SqliteTransaction? transaction, int id, CancellationToken ct)
    {
        var statement = database.WriteStatement(connection, "INSERT INTO t (id) VALUES (@id);");
        statement.Bind("@id", id);
        return Task.FromResult(statement.Execute());
    }

    [Fact]
    public async Task Writes_Fail_WhileAnotherConnectionHoldsTheLock_ThenTheWriterRecovers()
    {
        var path = Path.Combine(_root, "commit-fails.db");
        using var database = new SqliteDatabase(new SqliteStorageOptions
        {
            DataSource = path,
            BusyTimeout = TimeSpan.FromMilliseconds(200),
            CommandTimeout = TimeSpan.FromSeconds(1),
        });
        await CreateTableAsync(database);

        // Another "process" holds the write lock: no write may report success.
        await using var blocker = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await blocker.OpenAsync(Ct);
        await using (var blocking = blocker.BeginTransaction(deferred: false))
        {
            var writes = Enumerable.Range(1, 2).Select(id => database.WriteAsync(
                (connection, transaction, ct) => Insert(database, connection, transaction, id, ct), Ct)).ToList();
            foreach (var write in writes)
            {
                await Assert.ThrowsAsync<SqliteException>(() => write);
            }
        }

        // The lock is gone: the provider recovers with a fresh connection.
        Assert.Equal(1, await database.WriteAsync((connection, transaction, ct) => Insert(database, connection, transaction, 3, ct), Ct));
    }

    [Fact]
    public async Task WriteStatement_AloneAgainstAnotherProcesssLock_FailsBusy_ThenWritesOnceTheLockIsGone()
    {
        var path = Path.Combine(_root, "statement-busy.db");
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = path, BusyTimeout = TimeSpan.FromMilliseconds(200) });
        await CreateTableAsync(database);

        // A lone statement autocommits (no BEGIN of the group's own): SQLite's busy timeout is what it waits.
        await using var blocker = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await blocker.OpenAsync(Ct);
        await using (var blocking = blocker.BeginTransaction(deferred: false))
        {
            var busy = await Assert.ThrowsAsync<SqliteException>(
                () => database.WriteStatementAsync((connection, transaction, ct) => PreparedInsert(database, connection, transaction, 1, ct), Ct));
            Assert.Equal(5, busy.SqliteErrorCode); // SQLITE_BUSY
        }

        Assert.Equal(1, await database.WriteStatementAsync((connection, transaction, ct) => PreparedInsert(database, connection, transaction, 2, ct), Ct));
        await using var reader = await database.OpenConnectionAsync(Ct);
        Assert.Equal("2", await ScalarAsync(reader, "SELECT group_concat(id) FROM t;"));
    }

    [Fact]
    public async Task Metrics_CountAGroupsWritesByOutcome_ItsCommit_AndTheWritesQueuedBehindIt()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var database = new SqliteDatabase(
            new SqliteStorageOptions { DataSource = Path.Combine(_root, "metrics.db"), TablePrefix = "m_" }, new SqliteMetrics(services.GetRequiredService<IMeterFactory>()));
        await CreateTableAsync(database);
        using var writes = new InstrumentReader(services, "orleanstrader.sqlite.writes");
        using var commits = new InstrumentReader(services, "orleanstrader.sqlite.commits");
        using var durations = new InstrumentReader(services, "orleanstrader.sqlite.group.duration");
        using var queue = new InstrumentReader(services, "orleanstrader.sqlite.queue");
        const string Series = "file=metrics.db,table_prefix=m_";

        // The first write holds the writer: four statements queue behind it (one a duplicate key), and a fifth write is
        // canceled before its turn.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await HoldWriterAsync(database, release.Task);
        var queued = new[] { 1, 2, 1, 3 }.Select(id => database.WriteStatementAsync(
            (connection, transaction, ct) => PreparedInsert(database, connection, transaction, id, ct), Ct)).ToList();
        using var cancel = new CancellationTokenSource();
        var canceled = database.WriteStatementAsync((connection, transaction, ct) => PreparedInsert(database, connection, transaction, 9, ct), cancel.Token);
        await cancel.CancelAsync();
        Assert.Equal(5, queue.Observe()[Series]);
        release.SetResult();
        await first;
        await Task.WhenAll(queued.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)).Append(canceled.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.Equal(4, writes.Sum("file=metrics.db,outcome=committed,table_prefix=m_"));
        Assert.Equal(1, writes.Sum("file=metrics.db,outcome=failed,table_prefix=m_"));
        Assert.Equal(1, writes.Sum("file=metrics.db,outcome=canceled,table_prefix=m_"));
        Assert.Equal(2, commits.Sum(Series));
        Assert.True(durations.Sum(Series) > 0);
        Assert.Equal(0, queue.Observe()[Series]);
    }

    private static async Task<int> Insert(SqliteDatabase database, SqliteConnection connection, SqliteTransaction? transaction, int id, CancellationToken ct)
    {
        await using var command = database.CreateCommand(connection, "INSERT INTO t (id) VALUES (@id);", transaction);
        command.Parameters.AddWithValue("@id", id);
        return await command.ExecuteNonQueryAsync(ct);
    }

    [Fact]
    public async Task OpenConnectionAsync_AppliesSynchronousNormalBusyTimeoutAndCheckpointInterval()
    {
        using var database = new SqliteDatabase(new SqliteStorageOptions
        {
            DataSource = Path.Combine(_root, "pragmas.db"),
            BusyTimeout = TimeSpan.FromMilliseconds(2500),
        });

        // The second open gets the first one's pooled native connection: its settings must still be in force.
        for (var open = 0; open < 2; open++)
        {
            await using var connection = await database.OpenConnectionAsync(Ct);

            Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA synchronous;"));
            Assert.Equal(2500L, await ScalarAsync(connection, "PRAGMA busy_timeout;"));
            Assert.Equal(16384L, await ScalarAsync(connection, "PRAGMA wal_autocheckpoint;"));
        }
    }

    [Fact]
    public async Task BackgroundCheckpoint_CopiesCommittedPagesIntoTheFile_LongBeforeTheWritersOwnCheckpoint()
    {
        var path = Path.Combine(_root, "checkpointed.db");
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = path, WalCheckpointInterval = TimeSpan.FromMilliseconds(10) });
        await CreateBlobTableAsync(database);

        // About 2 MB: some 500 pages, far below the 8192 at which the writer's own commit would checkpoint, so until a
        // checkpoint runs elsewhere they are only in the WAL and the database file stays a few pages long.
        for (var id = 0; id < 1000; id++)
        {
            await InsertBlobAsync(database, id);
        }

        // A checkpoint that ran during the inserts already shows all its frames copied, with only part of the rows in the
        // file; one starts after the last commit, so wait until that one has copied them too (30 s at most: a build
        // without background checkpoints never gets there and fails).
        await WaitUntilAsync(() => database.WalCheckpointer is { Checkpoints: > 0 } c && c.CopiedFrames == c.WalFrames && c.WalFrames > 0
            && new FileInfo(path).Length > 1_000_000);

        Assert.True(new FileInfo(path).Length > 1_000_000, $"the database file is {new FileInfo(path).Length} bytes");
    }

    [Fact]
    public async Task WalCheckpointIntervalZero_LeavesCheckpointsToTheWriter()
    {
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(_root, "plain.db"), WalCheckpointInterval = TimeSpan.Zero });
        await CreateBlobTableAsync(database);
        await InsertBlobAsync(database, 1);

        Assert.Null(database.WalCheckpointer);
    }

    [Fact]
    public async Task Dispose_StopsTheCheckpointer_AndClosesItsConnection()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Open files are read from /proc/self/fd.");
        var path = Path.Combine(_root, "closed.db");
        var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = path, WalCheckpointInterval = TimeSpan.FromMilliseconds(10) });
        await CreateBlobTableAsync(database);
        await InsertBlobAsync(database, 1);
        await WaitUntilAsync(() => database.WalCheckpointer is { Checkpoints: > 0 });

        database.Dispose();

        // Every connection to the file is gone, the checkpointer's included: nothing holds the file or its WAL open.
        Assert.Empty(OpenFiles(path));
    }

    [Fact]
    public async Task OpenConnectionAsync_AfterDispose_Throws_AndLeavesTheFileClosed()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Open files are read from /proc/self/fd.");
        var path = Path.Combine(_root, "late.db");
        var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = path });
        await CreateBlobTableAsync(database);
        database.Dispose();

        // A read after Dispose opened the file into a new pool, where its connection stayed open after the read closed it.
        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            await using var connection = await database.OpenConnectionAsync(Ct);
        });
        Assert.Empty(OpenFiles(path));
    }

    [Fact]
    public async Task OpenConnectionAsync_OvertakenByDispose_Throws_AndLeavesTheFileClosed()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Open files are read from /proc/self/fd.");
        var path = Path.Combine(_root, "overtaken.db");
        var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = path });
        await CreateBlobTableAsync(database);

        // Dispose runs after the read passed the disposed check and before it opens: it cleared the pool, the read then
        // opened the file into a new one, and its connection stayed open there after the read closed it.
        database.ReaderAdmitted = () =>
        {
            database.Dispose();
            return Task.CompletedTask;
        };
        var outcome = await Record.ExceptionAsync(async () =>
        {
            await using var connection = await database.OpenConnectionAsync(Ct);
        });

        Assert.Empty(OpenFiles(path));
        Assert.IsType<ObjectDisposedException>(outcome);
        Assert.Equal(1, database.FileCloses);
    }

    [Fact]
    public async Task OpenConnectionAsync_OvertakenByDispose_WhileTheLastGroupEnds_LeavesTheFileClosed()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Open files are read from /proc/self/fd.");
        var path = Path.Combine(_root, "overtaken-drained.db");
        var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = path });
        await CreateTableAsync(database);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = await HoldWriterAsync(database, release.Task);

        // Dispose leaves the close to the running group's drainer, which ends before the read opens: its close must wait
        // for the read, or the read opens the file again after it.
        database.ReaderAdmitted = async () =>
        {
            database.Dispose();
            release.SetResult();
            Assert.Equal(1, await held);
            await WaitUntilAsync(() => !database.Draining);
        };
        var outcome = await Record.ExceptionAsync(async () =>
        {
            await using var connection = await database.OpenConnectionAsync(Ct);
        });

        Assert.Empty(OpenFiles(path));
        Assert.IsType<ObjectDisposedException>(outcome);
        Assert.Equal(1, database.FileCloses);
    }

    /// <summary>This process's open descriptors on the database file and its -wal and -shm.</summary>
    private static List<string> OpenFiles(string path) => [.. Directory.GetFiles("/proc/self/fd")
        .Select(fd => new FileInfo(fd).LinkTarget)
        .OfType<string>()
        .Where(target => target.StartsWith(path, StringComparison.Ordinal))];

    [Fact]
    public async Task Dispose_RightAfterAWriteReturns_ClosesTheFileOnce()
    {
        // Disposed in the write's own continuation: the drainer's last turn comes after, finds the database disposed and
        // closes the file too. A second close cleared the file's connection pool late, while another database on the same
        // file (a restarted silo in a test) closed its own connection into it, and SQLite's Close failed.
        var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(_root, "once.db") });
        await CreateBlobTableAsync(database);
        await Task.WhenAll(InsertBlobAsync(database, 1), InsertBlobAsync(database, 2));
        database.Dispose();
        await WaitUntilAsync(() => !database.Draining);

        Assert.Equal(1, database.FileCloses);
    }

    // Commands are disposed: one left to the collector keeps its prepared statement, and SQLite then keeps the connection's
    // file, WAL and shared memory open after the connection is closed, until the finalizer thread gets to the statement.
    private static Task<int> CreateBlobTableAsync(SqliteDatabase database) => database.WriteStatementAsync(
        async (connection, transaction, ct) =>
        {
            await using var command = database.CreateCommand(connection, "CREATE TABLE b (id INTEGER PRIMARY KEY, data BLOB NOT NULL);", transaction);
            return await command.ExecuteNonQueryAsync(ct);
        },
        Ct);

    private static Task<int> InsertBlobAsync(SqliteDatabase database, int id) => database.WriteStatementAsync(
        (connection, _, _) =>
        {
            var statement = database.WriteStatement(connection, "INSERT INTO b (id, data) VALUES (@id, randomblob(2000));");
            statement.Bind("@id", id);
            return Task.FromResult(statement.Execute());
        },
        Ct);

    /// <summary>Waits for a background effect; the limit only keeps a broken build from hanging the run.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, limit.Token);
        }
    }

    [Fact]
    public async Task Dispose_WhileAGroupRuns_LetsItAndTheWritesQueuedBehindItCommit_ThenClosesTheFile()
    {
        var path = Path.Combine(_root, "dispose.db");
        var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = path });
        await CreateTableAsync(database);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = await HoldWriterAsync(database, release.Task);
        var queued = Enumerable.Range(1, 5).Select(id => database.WriteAsync((c, t, ct) => Insert(database, c, t, id, ct), Ct)).ToList();

        // The silo stops while its writer is mid-transaction: closing the connection now would end that transaction.
        database.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => database.WriteAsync((c, t, ct) => Insert(database, c, t, 99, ct), Ct));
        release.SetResult();

        Assert.Equal(1, await held);
        Assert.All(await Task.WhenAll(queued), inserted => Assert.Equal(1, inserted));
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM t;";
        Assert.Equal(6L, await count.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task WriteStateAsync_Alone_Fails_WhenItsAutocommitFails_AndKeepsTheStoredState()
    {
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(_root, "commit-fails-alone.db") });
        var storage = new SqliteGrainStorage(database, TestJsonSerializer.Instance);
        var grain = GrainId.Create("Tests.Account", "ACC-1");
        var state = new GrainState<TestState>(new TestState("first", 1m, 1));
        await storage.WriteStateAsync("s", grain, state, Ct);
        var stored = state.ETag;

        state.State = new TestState("second", 2m, 2);

        await FailCommitsAsync(database);
        await Assert.ThrowsAsync<SqliteException>(() => storage.WriteStateAsync("s", grain, state, Ct));
        await FailCommitsAsync(database);
        await Assert.ThrowsAsync<SqliteException>(() => storage.ClearStateAsync("s", grain, new GrainState<TestState>(state.State) { ETag = stored, RecordExists = true }, Ct));

        Assert.Equal(stored, state.ETag);
        await using var reader = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.FilePath, Pooling = false }.ToString());
        await reader.OpenAsync(Ct);
        Assert.Equal(stored, Convert.ToString(await ScalarAsync(reader, "SELECT version FROM grain_state WHERE payload IS NOT NULL;"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ReadStateAsync_FindsState_AfterFileIsClosedAndReopened()
    {
        var options = new SqliteStorageOptions { DataSource = Path.Combine(_root, "durable.db") };
        var grain = GrainId.Create("Tests.Account", "ACC-1");
        var written = new GrainState<TestState>(new TestState("durable", 99.5m, 3));
        using (var database = new SqliteDatabase(options))
        {
            await new SqliteGrainStorage(database, TestJsonSerializer.Instance).WriteStateAsync("account", grain, written, Ct);
        }

        var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
        using (var reopened = new SqliteDatabase(options))
        {
            await new SqliteGrainStorage(reopened, TestJsonSerializer.Instance).ReadStateAsync("account", grain, read, Ct);
        }

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(new TestState("durable", 99.5m, 3), read.State);
    }

    [Fact]
    public async Task GrainStateTable_IsARowidTable_SoKilobyteStatesStayOnTheirLeafPage()
    {
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(_root, "rowid.db") });
        await new SqliteGrainStorage(database, TestJsonSerializer.Instance).InitializeAsync(Ct);

        // A WITHOUT ROWID table has no rowid column: this select fails on one.
        await using var connection = await database.OpenConnectionAsync(Ct);
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(rowid) FROM grain_state;"));
    }

    [Fact]
    public async Task GrainStorage_KeepsWorking_OnAFileWhoseTableIsTheEarlierWithoutRowidLayout()
    {
        var path = Path.Combine(_root, "earlier-layout.db");
        Directory.CreateDirectory(_root);
        await using (var earlier = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            await earlier.OpenAsync(Ct);
            await using var create = earlier.CreateCommand();
            create.CommandText = """
                CREATE TABLE grain_state (
                    grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, state_name TEXT NOT NULL, version INTEGER NOT NULL, payload BLOB NULL,
                    PRIMARY KEY (grain_type, grain_key, state_name)
                ) WITHOUT ROWID;
                """;
            await create.ExecuteNonQueryAsync(Ct);
        }

        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = path });
        var storage = new SqliteGrainStorage(database, TestJsonSerializer.Instance);
        var grain = GrainId.Create("Tests.Account", "ACC-1");
        var state = new GrainState<TestState>(new TestState(new string('x', 3000), 1m, 1));
        await storage.WriteStateAsync("s", grain, state, Ct);
        state.State = new TestState(new string('y', 3000), 2m, 2);
        await storage.WriteStateAsync("s", grain, state, Ct);
        var read = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await storage.ReadStateAsync("s", grain, read, Ct);

        Assert.Equal(state.State, read.State);
        Assert.Equal(state.ETag, read.ETag);
        await storage.ClearStateAsync("s", grain, state, Ct);
        await storage.ReadStateAsync("s", grain, read, Ct);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task TablePrefix_KeepsDeploymentsApart_InOneFile()
    {
        var path = Path.Combine(_root, "shared.db");
        var grain = GrainId.Create("Tests.Account", "ACC-1");
        using var blue = new SqliteDatabase(new SqliteStorageOptions { DataSource = path, TablePrefix = "blue_" });
        using var green = new SqliteDatabase(new SqliteStorageOptions { DataSource = path, TablePrefix = "green_" });
        var blueStorage = new SqliteGrainStorage(blue, TestJsonSerializer.Instance);
        var greenStorage = new SqliteGrainStorage(green, TestJsonSerializer.Instance);

        await blueStorage.WriteStateAsync("s", grain, new GrainState<TestState>(new TestState("blue", 1m, 1)), Ct);
        var greenRead = new GrainState<TestState>(new TestState("empty", 0m, 0));
        await greenStorage.ReadStateAsync("s", grain, greenRead, Ct);

        Assert.False(greenRead.RecordExists);
        await using var connection = await blue.OpenConnectionAsync(Ct);
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'blue_grain_state';"));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'green_grain_state';"));
    }

    [Fact]
    public async Task AppendAsync_StaysGapFree_WhenTwoInstancesShareTheFile()
    {
        // Two database objects mean two write gates: only SQLite's own locking and busy timeout keep them apart,
        // as with two processes on one file.
        var options = new SqliteStorageOptions { DataSource = Path.Combine(_root, "two-writers.db") };
        using var first = new SqliteDatabase(options);
        using var second = new SqliteDatabase(options);
        var logs = new[] { new SqliteDurableStreamLog(first), new SqliteDurableStreamLog(second) };
        await logs[0].InitializeAsync(Ct);
        var stream = StreamId.Create("fills", "ACC-1");
        ReadOnlyMemory<byte>[] batch = [new byte[] { 1 }, new byte[] { 2 }];

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => logs[i % 2].AppendAsync(stream, batch, DateTimeOffset.UnixEpoch, Ct)));
        var read = await logs[0].ReadStreamAsync(stream, 0, 100, Ct);

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), read.Select(e => e.Sequence));
    }

    [Fact]
    public async Task WriteStateAsync_LetsExactlyOneWriterWin_WhenTwoInstancesShareTheFile()
    {
        var options = new SqliteStorageOptions { DataSource = Path.Combine(_root, "two-storages.db") };
        using var first = new SqliteDatabase(options);
        using var second = new SqliteDatabase(options);
        var storages = new[] { new SqliteGrainStorage(first, TestJsonSerializer.Instance), new SqliteGrainStorage(second, TestJsonSerializer.Instance) };
        var grain = GrainId.Create("Tests.Account", "ACC-1");
        var seed = new GrainState<TestState>(new TestState("seed", 0m, 0));
        await storages[0].WriteStateAsync("s", grain, seed, Ct);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var writers = Enumerable.Range(0, 16).Select(async i =>
        {
            await start.Task;
            var state = new GrainState<TestState>(new TestState("writer", i, i)) { ETag = seed.ETag, RecordExists = true };
            try
            {
                await storages[i % 2].WriteStateAsync("s", grain, state, Ct);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(writers);

        Assert.Equal(1, outcomes.Count(won => won));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Ct);
    }
}
