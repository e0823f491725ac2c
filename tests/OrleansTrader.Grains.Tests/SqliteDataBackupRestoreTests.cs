using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A backup taken while fills are on their way, held at gates rather than timed: one account's fill is in the log and not
/// yet in its booked state (the log ahead of the state), another's is booked but its checkpoint not stored (the state
/// ahead of the log's checkpoint), a third's is in the venue's state and never reached the log. Restored, each fill is
/// booked exactly once, and the fills made after the restore get the next sequence numbers of their stream and are booked
/// once each: the stream heads and the checkpoints are rows of the same file, copied in one read, so no new fill gets a
/// sequence the account's checkpoint already covers.
/// </summary>
public sealed class SqliteDataBackupRestoreTests : IDisposable
{
    private const decimal InitialCash = 1_000_000m;
    private const string Symbol = "BRS";
    private const string LogAhead = "log-ahead";
    private const string StateAhead = "state-ahead";
    private const string VenueAhead = "venue-ahead";

    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task BackupTakenWithFillsBetweenVenueLogAndAccount_RestoresEachFillOnce_AndBooksNewFillsOnce()
    {
        var live = _dir.File("live");
        var files = SqliteDataFiles.In(live);
        var accountWrites = new Hold();
        var checkpoints = new Hold();
        var appends = new Hold();
        string logAheadFill, stateAheadFill, venueAheadFill;
        BackupFiles backup;
        await using (var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            SqliteDataDirectory = live,
            ConfigureSilo = silo =>
            {
                var storage = silo.Services.Last(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, GrainStorageNames.Default));
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, key) =>
                    new HeldAccountWrites((IGrainStorage)storage.KeyedImplementationFactory!(sp, key), LogAhead, accountWrites));
                silo.Services.AddKeyedSingleton<IDurableStreamLog>("durable-log", (sp, key) =>
                    new HeldFillsLog(sp.GetRequiredKeyedService<Runtime.AdoNet.SqliteDurableStreamLog>(key), checkpoints, StateAhead, appends, VenueAhead));
            },
        }))
        {
            var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>();
            await Market.QuoteAsync(cluster, Symbol, 10m, 10m);
            foreach (var id in new[] { LogAhead, StateAhead, VenueAhead })
            {
                var account = await TestAccounts.OpenAsync(cluster, id, InitialCash);
                await PlaceAndWaitForFillsAsync(account, Market.MarketOrder($"{id}-first", Symbol, OrderSide.Buy, 1m), 1);
            }

            // A buy limit that rests until the quote below reaches it: its fill comes with no call of the account's.
            var resting = await cluster.Account(LogAhead).PlaceOrderAsync(Market.Limit("log-ahead-rest", Symbol, OrderSide.Buy, 5m, 9.9m));
            Assert.True(resting.Succeeded, resting.Denial?.Message);
            await Eventually.WaitAsync(() => venue.GetClient(LogAhead).ListOpenOrdersAsync(Ct), o => o.Count == 1, "the limit resting at the venue");

            // The state ahead of the log: booked and written, its checkpoint held.
            checkpoints.Close();
            await PlaceAndWaitForFillsAsync(cluster.Account(StateAhead), Market.MarketOrder("state-ahead-second", Symbol, OrderSide.Buy, 2m), 2);
            stateAheadFill = await ExecutionIdAsync(venue, StateAhead, "state-ahead-second");
            await Eventually.WaitAsync(() => Task.FromResult(AccountStateHolds(files.State, StateAhead, stateAheadFill)), held => held, "the fill in the account's stored state");

            // The log ahead of the state: the report appended, the account's write of it held.
            accountWrites.Close();
            await Market.QuoteAsync(cluster, Symbol, 9.8m, 9.85m);
            logAheadFill = await Eventually.WaitAsync(
                async () => (await venue.GetClient(LogAhead).GetExecutionsSinceAsync(DateTimeOffset.MinValue, Ct)).FirstOrDefault(e => e.ClientOrderId == "log-ahead-rest")?.ExecutionId,
                id => id is not null, "the limit's fill at the venue") ?? "";
            await Eventually.WaitAsync(() => Task.FromResult(LogHolds(files.StreamLog, LogAhead, logAheadFill)), held => held, "the fill's report in the log");
            await accountWrites.Entered;

            // The venue ahead of the log: the fill in the venue's stored state, its report held before the log.
            appends.Close();
            var third = await cluster.Account(VenueAhead).PlaceOrderAsync(Market.MarketOrder("venue-ahead-second", Symbol, OrderSide.Buy, 3m));
            Assert.True(third.Succeeded, third.Denial?.Message);
            venueAheadFill = await ExecutionIdAsync(venue, VenueAhead, "venue-ahead-second");
            await Eventually.WaitAsync(() => Task.FromResult(VenueStateHolds(files.State, venueAheadFill)), held => held, "the fill in the venue's stored state");
            await appends.Entered;

            var taken = await new SqliteDataBackup(files, _dir.File("backups"), TimeProvider.System).BackupAsync(Ct);
            backup = new BackupFiles(
                Path.Combine(taken.Directory, SqliteDataFiles.StateFileName), Path.Combine(taken.Directory, SqliteDataFiles.StreamLogFileName));

            accountWrites.Open();
            checkpoints.Open();
            appends.Open();
        }

        // The backup holds the three cases it is meant to.
        Assert.True(LogHolds(backup.StreamLog, LogAhead, logAheadFill));
        Assert.False(AccountStateHolds(backup.State, LogAhead, logAheadFill));
        Assert.True(AccountStateHolds(backup.State, StateAhead, stateAheadFill));
        Assert.True(Checkpoint(backup.StreamLog, StateAhead) < Head(backup.StreamLog, StateAhead));
        Assert.True(VenueStateHolds(backup.State, venueAheadFill));
        Assert.False(LogHolds(backup.StreamLog, VenueAhead, venueAheadFill));

        var restored = _dir.File("restored");
        Directory.CreateDirectory(restored);
        File.Copy(backup.State, Path.Combine(restored, SqliteDataFiles.StateFileName));
        File.Copy(backup.StreamLog, Path.Combine(restored, SqliteDataFiles.StreamLogFileName));
        var heads = new[] { LogAhead, StateAhead, VenueAhead }.ToDictionary(id => id, id => Head(backup.StreamLog, id));

        await using (var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { SqliteDataDirectory = restored }))
        {
            var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>();
            await Market.QuoteAsync(cluster, Symbol, 10m, 10m);
            foreach (var id in new[] { LogAhead, StateAhead, VenueAhead })
            {
                var account = cluster.Account(id);
                if (id != VenueAhead)
                {
                    // Delivered again from the restored checkpoint, before any reconciliation: booked once either way.
                    await AssertBooksAreTheVenuesAsync(account, venue.GetClient(id), id, 2);
                }

                // The fill that never reached the log is the venue's to back-fill.
                Assert.Empty((await account.ReconcileAsync()).Mismatches);
                await AssertBooksAreTheVenuesAsync(account, venue.GetClient(id), id, 2);

                // Fills made after the restore: appended after the restored head, each booked once.
                for (var i = 0; i < 3; i++)
                {
                    var placed = await account.PlaceOrderAsync(Market.MarketOrder($"{id}-after-{i}", Symbol, OrderSide.Buy, 1m + i));
                    Assert.True(placed.Succeeded, placed.Denial?.Message);
                }

                await AssertBooksAreTheVenuesAsync(account, venue.GetClient(id), id, 5);
            }
        }

        var log = Path.Combine(restored, SqliteDataFiles.StreamLogFileName);
        foreach (var (id, head) in heads)
        {
            var sequences = Sequences(log, id);
            Assert.Equal(Enumerable.Range(1, sequences.Count).Select(s => (long)s), sequences);
            Assert.True(sequences[^1] > head, $"{id}: no report appended after the restored head {head}");
        }
    }

    private static async Task PlaceAndWaitForFillsAsync(IAccountGrain account, PlaceOrder order, int fills)
    {
        var placed = await account.PlaceOrderAsync(order);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count == fills, $"{fills} fills");
    }

    private static async Task<string> ExecutionIdAsync(PaperExchange venue, string accountId, string clientOrderId) =>
        await Eventually.WaitAsync(
            async () => (await venue.GetClient(accountId).GetExecutionsSinceAsync(DateTimeOffset.MinValue, Ct)).FirstOrDefault(e => e.ClientOrderId == clientOrderId)?.ExecutionId,
            id => id is not null, $"the fill of {clientOrderId} at the venue") ?? "";

    /// <summary>The account's fills are the venue's executions, each once; its position their sum, its cash the opening cash less their cost.</summary>
    private static async Task AssertBooksAreTheVenuesAsync(IAccountGrain account, OrleansTrader.Brokers.IBrokerClient venue, string id, int count)
    {
        var executions = await Eventually.WaitAsync(() => venue.GetExecutionsSinceAsync(DateTimeOffset.MinValue, Ct), e => e.Count >= count, $"{count} executions of {id}");
        var fills = await Eventually.WaitAsync(() => account.GetFillsAsync(0, 1000), f => f.Count >= count, $"{count} fills of {id}");
        Assert.Equal(count, executions.Count);
        Assert.Equal(executions.Select(e => e.ExecutionId).Order(), fills.Select(f => f.ExecutionId).Order());
        var position = (await account.GetPositionsAsync()).SingleOrDefault(p => p.Symbol == Symbol)?.Quantity ?? 0m;
        Assert.Equal(fills.Sum(f => f.Quantity), position);
        Assert.Equal(executions.Sum(e => e.Quantity), position);
        Assert.Equal(InitialCash - fills.Sum(f => (f.Quantity * f.Price) + f.Fee), (await account.GetSnapshotAsync())!.Cash);
    }

    private static SqliteConnection Open(string file)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static long Scalar(string file, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open(file);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static bool LogHolds(string log, string accountId, string executionId) => Scalar(
        log,
        "SELECT count(*) FROM stream_events WHERE stream_namespace = @ns AND stream_key = @key AND instr(payload, @id) > 0;",
        ("@ns", StreamNames.Fills), ("@key", accountId), ("@id", Utf8(executionId))) > 0;

    private static bool AccountStateHolds(string state, string accountId, string executionId) => Scalar(
        state,
        "SELECT count(*) FROM grain_state WHERE grain_key = @key AND grain_type NOT LIKE 'paper-venue%' AND instr(payload, @id) > 0;",
        ("@key", accountId), ("@id", Utf8(executionId))) > 0;

    private static bool VenueStateHolds(string state, string executionId) => Scalar(
        state,
        "SELECT count(*) FROM grain_state WHERE grain_type LIKE 'paper-venue%' AND instr(payload, @id) > 0;",
        ("@id", Utf8(executionId))) > 0;

    private static long Head(string log, string accountId) => Scalar(
        log,
        "SELECT coalesce(max(last_sequence), 0) FROM stream_heads WHERE stream_namespace = @ns AND stream_key = @key;",
        ("@ns", StreamNames.Fills), ("@key", accountId));

    private static long Checkpoint(string log, string accountId) => Scalar(
        log,
        "SELECT coalesce(max(sequence), 0) FROM stream_checkpoints WHERE stream_namespace = @ns AND stream_key = @key;",
        ("@ns", StreamNames.Fills), ("@key", accountId));

    private static List<long> Sequences(string log, string accountId)
    {
        using var connection = Open(log);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence FROM stream_events WHERE stream_namespace = @ns AND stream_key = @key ORDER BY position;";
        command.Parameters.AddWithValue("@ns", StreamNames.Fills);
        command.Parameters.AddWithValue("@key", accountId);
        using var reader = command.ExecuteReader();
        var sequences = new List<long>();
        while (reader.Read())
        {
            sequences.Add(reader.GetInt64(0));
        }

        return sequences;
    }

    private sealed record BackupFiles(string State, string StreamLog);

    /// <summary>A gate: while closed, whatever passes it waits; <see cref="Entered"/> completes when the first has come.</summary>
    private sealed class Hold
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _closed;

        public Task Entered => _entered.Task;

        public void Close() => _closed = true;

        public void Open() => _opened.TrySetResult();

        public Task PassAsync()
        {
            if (!_closed)
            {
                return Task.CompletedTask;
            }

            _entered.TrySetResult();
            return _opened.Task;
        }
    }

    /// <summary>The default storage, holding one account's writes while its gate is closed.</summary>
    private sealed class HeldAccountWrites(IGrainStorage inner, string accountId, Hold hold) : ForwardingGrainStorage(inner)
    {
        public override async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        {
            if (grainId.Key == accountId && !grainId.Type.Value.StartsWith("paper-venue", StringComparison.Ordinal))
            {
                await hold.PassAsync();
            }

            await base.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
        }
    }

    /// <summary>The SQLite log, holding one account's checkpoints and another's appends while their gates are closed.</summary>
    private sealed class HeldFillsLog(IDurableStreamLog inner, Hold checkpoints, string checkpointsOf, Hold appends, string appendsOf) : IDurableStreamLog
    {
        private static bool Is(StreamId streamId, string accountId) => streamId.Namespace == StreamNames.Fills && streamId.Key == accountId;

        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

        public async Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
            StreamId streamId, IReadOnlyList<ReadOnlyMemory<byte>> payloads, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
        {
            if (Is(streamId, appendsOf))
            {
                await appends.PassAsync();
            }

            return await inner.AppendAsync(streamId, payloads, timestamp, cancellationToken);
        }

        public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(StreamId streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default) =>
            inner.ReadStreamAsync(streamId, afterSequence, maxCount, cancellationToken);

        public Task<IReadOnlyList<StoredStreamEvent>> ReadNamespaceAsync(string streamNamespace, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
            inner.ReadNamespaceAsync(streamNamespace, afterPosition, maxCount, cancellationToken);

        public Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default) =>
            inner.GetCheckpointAsync(streamId, consumerId, cancellationToken);

        public async Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default)
        {
            if (sequence > 0 && Is(streamId, checkpointsOf))
            {
                await checkpoints.PassAsync();
            }

            await inner.SaveCheckpointAsync(streamId, consumerId, sequence, cancellationToken);
        }

        public async Task SaveCheckpointsAsync(IReadOnlyList<StreamCheckpoint> batch, CancellationToken cancellationToken = default)
        {
            if (batch.Any(c => c.Sequence > 0 && Is(c.StreamId, checkpointsOf)))
            {
                await checkpoints.PassAsync();
            }

            await inner.SaveCheckpointsAsync(batch, cancellationToken);
        }

        public Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
            inner.ResetCheckpointAsync(streamId, consumerId, sequence, cancellationToken);

        public Task RemoveCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default) =>
            inner.RemoveCheckpointAsync(streamId, consumerId, cancellationToken);

        public Task WriteDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken = default) => inner.WriteDeadLetterAsync(deadLetter, cancellationToken);

        public Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(StreamId streamId, CancellationToken cancellationToken = default) =>
            inner.ReadDeadLettersAsync(streamId, cancellationToken);

        public Task AddSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken = default) =>
            inner.AddSubscriptionAsync(subscription, cancellationToken);

        public Task RemoveSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken = default) =>
            inner.RemoveSubscriptionAsync(streamId, subscriptionId, cancellationToken);

        public Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionsAsync(CancellationToken cancellationToken = default) =>
            inner.ReadSubscriptionsAsync(cancellationToken);

        public Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default) => inner.TrimAsync(olderThan, cancellationToken);
    }
}
