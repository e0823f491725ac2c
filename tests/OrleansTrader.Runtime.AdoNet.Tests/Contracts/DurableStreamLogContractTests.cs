using System.Globalization;
using System.Text;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// The behaviour every <see cref="IDurableStreamLog"/> must have. Subclass it once per provider; each call of
/// <see cref="OpenLogAsync"/> must return a log over the same store (a restarted silo), initialized.
/// Every test uses its own namespace, so tests never see each other's events.
/// </summary>
public abstract class DurableStreamLogContractTests
{
    private static readonly DateTimeOffset Timestamp = new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero).AddTicks(42);

    /// <summary>
    /// Retention tests store their "old" events at <see cref="Old"/> and trim before <see cref="Cutoff"/>: every other
    /// test's events are newer, so a trim here deletes only what the retention tests themselves made deletable.
    /// </summary>
    private static readonly DateTimeOffset Old = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset Cutoff = Old.AddDays(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<IDurableStreamLog> OpenLogAsync();

    [Fact]
    public async Task AppendAsync_NumbersEventsFromOneInOrder_AndReadStreamReturnsThem()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();

        var appended = await log.AppendAsync(stream, Payloads("a", "b", "c"), Timestamp, Ct);
        var read = await log.ReadStreamAsync(stream, 0, 100, Ct);

        Assert.Equal([1L, 2L, 3L], appended.Select(e => e.Sequence));
        Assert.True(appended[0].Position < appended[1].Position && appended[1].Position < appended[2].Position);
        Assert.Equal(["a", "b", "c"], read.Select(Text));
        Assert.Equal(appended.Select(e => (e.Position, e.Sequence)), read.Select(e => (e.Position, e.Sequence)));
        Assert.All(read, e => Assert.Equal(stream, e.StreamId));
        Assert.All(read, e => Assert.Equal(Timestamp, e.Timestamp));
        Assert.All(read, e => Assert.Equal(TimeSpan.Zero, e.Timestamp.Offset));
    }

    [Fact]
    public async Task AppendAsync_ContinuesSequence_AcrossBatches()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        await log.AppendAsync(stream, Payloads("a", "b"), Timestamp, Ct);

        var second = await log.AppendAsync(stream, Payloads("c", "d", "e"), Timestamp, Ct);

        Assert.Equal([3L, 4L, 5L], second.Select(e => e.Sequence));
        Assert.Equal(["c", "d", "e"], second.Select(Text));
    }

    [Fact]
    public async Task AppendAsync_NumbersEachStreamIndependently()
    {
        var log = await OpenLogAsync();
        var ns = NewNamespace();
        await log.AppendAsync(StreamId.Create(ns, "020235"), Payloads("a", "b"), Timestamp, Ct);

        var other = await log.AppendAsync(StreamId.Create(ns, "20235"), Payloads("x"), Timestamp, Ct);

        Assert.Equal(1L, Assert.Single(other).Sequence);
        Assert.Equal(["a", "b"], (await log.ReadStreamAsync(StreamId.Create(ns, "020235"), 0, 10, Ct)).Select(Text));
        Assert.Equal(["x"], (await log.ReadStreamAsync(StreamId.Create(ns, "20235"), 0, 10, Ct)).Select(Text));
    }

    [Theory]
    [InlineData(128)]
    [InlineData(300)]
    public async Task AppendAsync_StoresLargeBatchInOrder(int count)
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        await log.AppendAsync(stream, Payloads("first"), Timestamp, Ct);
        var texts = Enumerable.Range(0, count).Select(i => $"event-{i}").ToArray();

        var appended = await log.AppendAsync(stream, Payloads(texts), Timestamp, Ct);
        var read = await log.ReadStreamAsync(stream, 1, count + 10, Ct);
        var byNamespace = await log.ReadNamespaceAsync(stream.Namespace, 0, count + 10, Ct);

        var expectedSequences = Enumerable.Range(2, count).Select(i => (long)i).ToArray();
        Assert.Equal(expectedSequences, appended.Select(e => e.Sequence));
        Assert.Equal(texts, appended.Select(Text));
        Assert.Equal(expectedSequences, read.Select(e => e.Sequence));
        Assert.Equal(texts, read.Select(Text));
        Assert.Equal(appended.Select(e => e.Position), read.Select(e => e.Position));
        Assert.Equal(["first", .. texts], byNamespace.Select(Text));
        Assert.Equal(byNamespace.Select(e => e.Position).Order(), byNamespace.Select(e => e.Position));
    }

    [Fact]
    public async Task AppendAsync_ReturnsNothing_WhenBatchIsEmpty()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();

        var appended = await log.AppendAsync(stream, [], Timestamp, Ct);

        Assert.Empty(appended);
        Assert.Empty(await log.ReadStreamAsync(stream, 0, 10, Ct));
    }

    [Fact]
    public async Task AppendAsync_RoundTripsEmptyAndBinaryPayloads()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        byte[] binary = [0, 255, 1, 0, 128, 39, 34, 92];

        await log.AppendAsync(stream, [Array.Empty<byte>(), binary, new ReadOnlyMemory<byte>(binary, 2, 3)], Timestamp, Ct);
        var read = await log.ReadStreamAsync(stream, 0, 10, Ct);

        Assert.Equal(3, read.Count);
        Assert.Empty(read[0].Payload.ToArray());
        Assert.Equal(binary, read[1].Payload.ToArray());
        Assert.Equal(new byte[] { 1, 0, 128 }, read[2].Payload.ToArray());
    }

    [Fact]
    public async Task ReadStreamAsync_ReturnsEventsAfterSequence_UpToMaxCount()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        await log.AppendAsync(stream, Payloads("1", "2", "3", "4", "5", "6"), Timestamp, Ct);

        var page = await log.ReadStreamAsync(stream, 2, 3, Ct);
        var tail = await log.ReadStreamAsync(stream, 5, 10, Ct);
        var end = await log.ReadStreamAsync(stream, 6, 10, Ct);

        Assert.Equal([3L, 4L, 5L], page.Select(e => e.Sequence));
        Assert.Equal(["6"], tail.Select(Text));
        Assert.Empty(end);
    }

    [Fact]
    public async Task AppendAsync_AssignsUniqueGapFreeSequences_UnderConcurrentAppenders()
    {
        const int Appenders = 8;
        const int BatchesPerAppender = 6;
        const int BatchSize = 5;
        var log = await OpenLogAsync();
        var stream = NewStream();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var appenders = Enumerable.Range(0, Appenders).Select(async a =>
        {
            await start.Task;
            var batches = new List<IReadOnlyList<StoredStreamEvent>>();
            for (var b = 0; b < BatchesPerAppender; b++)
            {
                var payloads = Enumerable.Range(0, BatchSize).Select(i => $"{a}-{b}-{i}").ToArray();
                batches.Add(await log.AppendAsync(stream, Payloads(payloads), Timestamp, Ct));
            }

            return batches;
        }).ToList();
        start.SetResult();
        var results = (await Task.WhenAll(appenders)).SelectMany(b => b).ToList();

        const int Total = Appenders * BatchesPerAppender * BatchSize;
        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), results.SelectMany(b => b).Select(e => e.Sequence).Order());
        Assert.All(results, batch => Assert.Equal(
            Enumerable.Range(0, BatchSize).Select(i => batch[0].Sequence + i),
            batch.Select(e => e.Sequence)));
        var read = await log.ReadStreamAsync(stream, 0, Total + 10, Ct);
        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), read.Select(e => e.Sequence));
        var appendedBySequence = results.SelectMany(b => b).ToDictionary(e => e.Sequence, Text);
        Assert.All(read, e => Assert.Equal(appendedBySequence[e.Sequence], Text(e)));
    }

    [Fact]
    public async Task ReadNamespaceAsync_ReturnsEventsOfEveryStreamInPositionOrder()
    {
        var log = await OpenLogAsync();
        var ns = NewNamespace();
        var a = StreamId.Create(ns, "A");
        var b = StreamId.Create(ns, "B");
        await log.AppendAsync(a, Payloads("a1", "a2"), Timestamp, Ct);
        await log.AppendAsync(StreamId.Create(NewNamespace(), "A"), Payloads("elsewhere"), Timestamp, Ct);
        await log.AppendAsync(b, Payloads("b1"), Timestamp, Ct);
        await log.AppendAsync(a, Payloads("a3"), Timestamp, Ct);

        var all = await log.ReadNamespaceAsync(ns, 0, 100, Ct);
        var afterFirst = await log.ReadNamespaceAsync(ns, all[0].Position, 2, Ct);

        Assert.Equal(["a1", "a2", "b1", "a3"], all.Select(Text));
        Assert.Equal([a, a, b, a], all.Select(e => e.StreamId));
        Assert.Equal([1L, 2L, 1L, 3L], all.Select(e => e.Sequence));
        Assert.Equal(all.Select(e => e.Position).Order(), all.Select(e => e.Position));
        Assert.Equal(["a2", "b1"], afterFirst.Select(Text));
    }

    [Fact]
    public async Task SaveCheckpointAsync_NeverMovesBackwards_AndResetRewinds()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();

        var initial = await log.GetCheckpointAsync(stream, "consumer", Ct);
        await log.SaveCheckpointAsync(stream, "consumer", 5, Ct);
        var afterSave = await log.GetCheckpointAsync(stream, "consumer", Ct);
        await log.SaveCheckpointAsync(stream, "consumer", 3, Ct);
        var afterOlderSave = await log.GetCheckpointAsync(stream, "consumer", Ct);
        await log.ResetCheckpointAsync(stream, "consumer", 2, Ct);
        var afterReset = await log.GetCheckpointAsync(stream, "consumer", Ct);
        await log.SaveCheckpointAsync(stream, "consumer", 4, Ct);
        var afterResume = await log.GetCheckpointAsync(stream, "consumer", Ct);

        Assert.Equal([0L, 5L, 5L, 2L, 4L], [initial, afterSave, afterOlderSave, afterReset, afterResume]);
    }

    [Fact]
    public async Task SaveCheckpointAsync_KeepsConsumersAndStreamsApart()
    {
        var log = await OpenLogAsync();
        var ns = NewNamespace();
        var stream = StreamId.Create(ns, "020235");
        var similar = StreamId.Create(ns, "20235");

        await log.SaveCheckpointAsync(stream, "risk", 7, Ct);
        await log.SaveCheckpointAsync(stream, "ledger", 3, Ct);
        await log.SaveCheckpointAsync(similar, "risk", 1, Ct);

        Assert.Equal(7L, await log.GetCheckpointAsync(stream, "risk", Ct));
        Assert.Equal(3L, await log.GetCheckpointAsync(stream, "ledger", Ct));
        Assert.Equal(1L, await log.GetCheckpointAsync(similar, "risk", Ct));
        Assert.Equal(0L, await log.GetCheckpointAsync(similar, "ledger", Ct));
    }

    [Fact]
    public async Task SaveCheckpointsAsync_StoresEveryCheckpointOfTheBatch_AndNeverMovesOneBackwards()
    {
        var log = await OpenLogAsync();
        var ns = NewNamespace();
        var stream = StreamId.Create(ns, "a");
        var other = StreamId.Create(ns, "b");
        await log.SaveCheckpointAsync(stream, "ledger", 9, Ct);

        await log.SaveCheckpointsAsync(
            [new StreamCheckpoint(stream, "risk", 4), new StreamCheckpoint(stream, "ledger", 6), new StreamCheckpoint(other, "risk", 2)], Ct);
        await log.SaveCheckpointsAsync([], Ct);

        Assert.Equal(4L, await log.GetCheckpointAsync(stream, "risk", Ct));
        Assert.Equal(9L, await log.GetCheckpointAsync(stream, "ledger", Ct));
        Assert.Equal(2L, await log.GetCheckpointAsync(other, "risk", Ct));
        Assert.Equal(0L, await log.GetCheckpointAsync(other, "ledger", Ct));
    }

    [Fact]
    public async Task WriteDeadLetterAsync_StoresLettersReadBackInOrder()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        var failedAt = Timestamp.AddMinutes(1);
        var first = new DeadLetter(stream, "consumer", 4, Encoding.UTF8.GetBytes("fill-4"), 5, "InvalidOperationException: boom", failedAt);
        var second = new DeadLetter(stream, "other", 9, Encoding.UTF8.GetBytes("fill-9"), 3, "timeout 'quoted'", failedAt.AddSeconds(1));

        await log.WriteDeadLetterAsync(first, Ct);
        await log.WriteDeadLetterAsync(second, Ct);
        var letters = await log.ReadDeadLettersAsync(stream, Ct);

        Assert.Equal(2, letters.Count);
        AssertSameLetter(first, letters[0]);
        AssertSameLetter(second, letters[1]);
        Assert.Empty(await log.ReadDeadLettersAsync(NewStream(), Ct));
    }

    [Fact]
    public async Task OpenLogAsync_SeesEverything_AfterLogIsReopened()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        await log.AppendAsync(stream, Payloads("before-1", "before-2"), Timestamp, Ct);
        await log.SaveCheckpointAsync(stream, "consumer", 2, Ct);
        var letter = new DeadLetter(stream, "consumer", 1, Encoding.UTF8.GetBytes("before-1"), 3, "error", Timestamp);
        await log.WriteDeadLetterAsync(letter, Ct);

        var reopened = await OpenLogAsync();
        var appended = await reopened.AppendAsync(stream, Payloads("after"), Timestamp, Ct);

        Assert.Equal(["before-1", "before-2", "after"], (await reopened.ReadStreamAsync(stream, 0, 10, Ct)).Select(Text));
        Assert.Equal(3L, Assert.Single(appended).Sequence);
        Assert.Equal(2L, await reopened.GetCheckpointAsync(stream, "consumer", Ct));
        AssertSameLetter(letter, Assert.Single(await reopened.ReadDeadLettersAsync(stream, Ct)));
    }

    [Fact]
    public async Task AddSubscriptionAsync_StoresSubscriptions_ReadBackInOrder_AndRemoveDeletesOnlyThatOne()
    {
        var log = await OpenLogAsync();
        var ns = NewNamespace();
        var first = new StoredStreamSubscription(StreamId.Create(ns, "acct/1"), Guid.NewGuid(), GrainId.Create("Tests.Ledger", "L-1"));
        var second = new StoredStreamSubscription(StreamId.Create(ns, "acct/1"), Guid.NewGuid(), GrainId.Create("Tests.Risk", "acct/1"));
        var similar = new StoredStreamSubscription(StreamId.Create(ns, "acct/01"), first.SubscriptionId, GrainId.Create("Tests.Ledger", "L-1"));

        await log.AddSubscriptionAsync(first, Ct);
        await log.AddSubscriptionAsync(second, Ct);
        await log.AddSubscriptionAsync(similar, Ct);
        var stored = await SubscriptionsAsync(log, ns);
        await log.RemoveSubscriptionAsync(first.StreamId, first.SubscriptionId, Ct);
        await log.RemoveSubscriptionAsync(first.StreamId, Guid.NewGuid(), Ct);
        var afterRemove = await SubscriptionsAsync(log, ns);

        Assert.Equal([first, second, similar], stored);
        Assert.Equal([second, similar], afterRemove);
    }

    [Fact]
    public async Task AddSubscriptionAsync_KeepsOneRow_WhenTheSameSubscriptionIsStoredTwice()
    {
        var log = await OpenLogAsync();
        var ns = NewNamespace();
        var subscription = new StoredStreamSubscription(StreamId.Create(ns, "k"), Guid.NewGuid(), GrainId.Create("Tests.Ledger", "020235"));

        await log.AddSubscriptionAsync(subscription, Ct);
        await log.AddSubscriptionAsync(subscription, Ct);

        Assert.Equal([subscription], await SubscriptionsAsync(log, ns));
    }

    [Fact]
    public async Task StoredSubscriptions_SurviveReopening_AndRemovalToo()
    {
        var log = await OpenLogAsync();
        var ns = NewNamespace();
        var kept = new StoredStreamSubscription(StreamId.Create(ns, "k"), Guid.NewGuid(), GrainId.Create("Tests.Ledger", "a"));
        var removed = new StoredStreamSubscription(StreamId.Create(ns, "k"), Guid.NewGuid(), GrainId.Create("Tests.Ledger", "b"));
        await log.AddSubscriptionAsync(kept, Ct);
        await log.AddSubscriptionAsync(removed, Ct);
        await log.RemoveSubscriptionAsync(removed.StreamId, removed.SubscriptionId, Ct);

        var reopened = await OpenLogAsync();

        Assert.Equal([kept], await SubscriptionsAsync(reopened, ns));
    }

    [Fact]
    public async Task TrimAsync_DeletesOldEventsEveryConsumerAcknowledged_AndKeepsTheRestInOrder()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        var appended = await log.AppendAsync(stream, Payloads("a", "b", "c", "d", "e"), Old, Ct);
        await log.SaveCheckpointAsync(stream, "ledger", 4, Ct);
        await log.SaveCheckpointAsync(stream, "risk", 2, Ct);

        var deleted = await log.TrimAsync(Cutoff, Ct);

        Assert.Equal(2, deleted);
        Assert.Equal(["c", "d", "e"], (await log.ReadStreamAsync(stream, 0, 10, Ct)).Select(Text));
        Assert.Equal([3L, 4L, 5L], (await log.ReadStreamAsync(stream, 0, 10, Ct)).Select(e => e.Sequence));

        // A reader behind the oldest retained event just continues from it.
        Assert.Equal(["c", "d", "e"], (await log.ReadStreamAsync(stream, 1, 10, Ct)).Select(Text));
        Assert.Equal(["d"], (await log.ReadStreamAsync(stream, 3, 1, Ct)).Select(Text));
        Assert.Equal(
            appended.Skip(2).Select(e => e.Position),
            (await log.ReadNamespaceAsync(stream.Namespace, 0, 10, Ct)).Select(e => e.Position));
        Assert.Equal(0, await log.TrimAsync(Cutoff, Ct));
    }

    [Fact]
    public async Task RemoveCheckpointAsync_DeletesThatConsumerOnly_SoItNoLongerHoldsRetentionBack()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        await log.AppendAsync(stream, Payloads("a", "b", "c"), Old, Ct);
        await log.SaveCheckpointAsync(stream, "ledger", 3, Ct);
        await log.SaveCheckpointAsync(stream, "client/gone", 1, Ct);

        await log.RemoveCheckpointAsync(stream, "client/gone", Ct);
        await log.RemoveCheckpointAsync(stream, "client/never-stored", Ct);

        Assert.Equal(0, await log.GetCheckpointAsync(stream, "client/gone", Ct));
        Assert.Equal(3, await log.GetCheckpointAsync(stream, "ledger", Ct));
        Assert.Equal(3, await log.TrimAsync(Cutoff, Ct));
    }

    [Fact]
    public async Task TrimAsync_KeepsEventsNotOlderThanTheCutoff_EvenWhenAcknowledged()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        await log.AppendAsync(stream, Payloads("old-1", "old-2"), Old, Ct);
        await log.AppendAsync(stream, Payloads("at-cutoff"), Cutoff, Ct);
        await log.AppendAsync(stream, Payloads("recent"), Cutoff.AddDays(1), Ct);
        await log.SaveCheckpointAsync(stream, "ledger", 4, Ct);

        var deleted = await log.TrimAsync(Cutoff, Ct);

        Assert.Equal(2, deleted);
        Assert.Equal(["at-cutoff", "recent"], (await log.ReadStreamAsync(stream, 0, 10, Ct)).Select(Text));
    }

    [Fact]
    public async Task TrimAsync_KeepsEveryEvent_OfAStreamWithoutCheckpoints()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        await log.AppendAsync(stream, Payloads("a", "b"), Old, Ct);
        await log.SaveCheckpointAsync(StreamId.Create(stream.Namespace, "other"), "ledger", 2, Ct);

        var deleted = await log.TrimAsync(Cutoff, Ct);

        Assert.Equal(0, deleted);
        Assert.Equal(["a", "b"], (await log.ReadStreamAsync(stream, 0, 10, Ct)).Select(Text));
    }

    [Fact]
    public async Task TrimAsync_KeepsEvents_WhileAStoredSubscriberHasNoCheckpoint()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        var subscriber = GrainId.Create("Tests.Ledger", "L-1");
        await log.AppendAsync(stream, Payloads("a", "b", "c"), Old, Ct);
        await log.AddSubscriptionAsync(new StoredStreamSubscription(stream, Guid.NewGuid(), subscriber), Ct);
        await log.SaveCheckpointAsync(stream, "risk", 3, Ct);

        var whilePinned = await log.TrimAsync(Cutoff, Ct);
        await log.SaveCheckpointAsync(stream, subscriber.ToString(), 1, Ct);
        var afterCheckpoint = await log.TrimAsync(Cutoff, Ct);

        Assert.Equal(0, whilePinned);
        Assert.Equal(1, afterCheckpoint);
        Assert.Equal(["b", "c"], (await log.ReadStreamAsync(stream, 0, 10, Ct)).Select(Text));
    }

    [Fact]
    public async Task AppendAsync_AfterATrimOfEveryEvent_ContinuesSequencesAndPositions()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        var before = await log.AppendAsync(stream, Payloads("a", "b", "c"), Old, Ct);
        await log.SaveCheckpointAsync(stream, "ledger", 3, Ct);

        var deleted = await log.TrimAsync(Cutoff, Ct);
        var reopened = await OpenLogAsync();
        var after = await reopened.AppendAsync(stream, Payloads("d", "e"), Timestamp, Ct);

        Assert.Equal(3, deleted);
        Assert.Equal([4L, 5L], after.Select(e => e.Sequence));
        Assert.True(after[0].Position > before[^1].Position, $"position {after[0].Position} after {before[^1].Position}");
        Assert.Equal(["d", "e"], (await reopened.ReadStreamAsync(stream, 0, 10, Ct)).Select(Text));
        Assert.Equal(["d", "e"], (await reopened.ReadNamespaceAsync(stream.Namespace, 0, 10, Ct)).Select(Text));
    }

    [Fact]
    public async Task TrimAsync_LeavesDeadLettersReadable()
    {
        var log = await OpenLogAsync();
        var stream = NewStream();
        await log.AppendAsync(stream, Payloads("poison", "fine"), Old, Ct);
        var letter = new DeadLetter(stream, "ledger", 1, Encoding.UTF8.GetBytes("poison"), 5, "boom", Old.AddMinutes(1));
        await log.WriteDeadLetterAsync(letter, Ct);
        await log.SaveCheckpointAsync(stream, "ledger", 2, Ct);

        var deleted = await log.TrimAsync(Cutoff, Ct);

        Assert.Equal(2, deleted);
        Assert.Empty(await log.ReadStreamAsync(stream, 0, 10, Ct));
        AssertSameLetter(letter, Assert.Single(await log.ReadDeadLettersAsync(stream, Ct)));
    }

    [Fact]
    public async Task TrimAsync_DeletesManyEvents_InterleavedWithKeptOnes()
    {
        var log = await OpenLogAsync();
        var ns = NewNamespace();
        var acknowledged = StreamId.Create(ns, "acknowledged");
        var pending = StreamId.Create(ns, "pending");
        var batch = Enumerable.Range(0, 300).Select(i => $"e{i}").ToArray();
        for (var round = 0; round < 5; round++)
        {
            await log.AppendAsync(acknowledged, Payloads(batch), Old, Ct);
            await log.AppendAsync(pending, Payloads(batch), Old, Ct);
        }

        await log.SaveCheckpointAsync(acknowledged, "ledger", 1500, Ct);
        await log.SaveCheckpointAsync(pending, "ledger", 0, Ct);

        var deleted = await log.TrimAsync(Cutoff, Ct);

        Assert.Equal(1500, deleted);
        Assert.Empty(await log.ReadStreamAsync(acknowledged, 0, 10, Ct));
        var kept = await log.ReadStreamAsync(pending, 0, 2000, Ct);
        Assert.Equal(Enumerable.Range(1, 1500).Select(i => (long)i), kept.Select(e => e.Sequence));
    }

    [Fact]
    public async Task TrimAsync_GoesByEachEventsOwnTime_WhenAppendersStampedThemOutOfOrder()
    {
        var log = await OpenLogAsync();
        var ns = NewNamespace();
        var first = StreamId.Create(ns, "first");
        var second = StreamId.Create(ns, "second");

        // Appenders stamp their own clocks: an old event can follow newer ones, in its stream and across streams.
        await log.AppendAsync(first, Payloads("first-recent"), Cutoff.AddDays(1), Ct);
        await log.AppendAsync(second, Payloads("second-old-1"), Old, Ct);
        await log.AppendAsync(first, Payloads("first-late-old"), Old, Ct);
        await log.AppendAsync(second, Payloads("second-recent", "second-recent-2"), Cutoff.AddDays(1), Ct);
        await log.AppendAsync(second, Payloads("second-late-old"), Old, Ct);
        await log.SaveCheckpointAsync(first, "ledger", 2, Ct);
        await log.SaveCheckpointAsync(second, "ledger", 3, Ct); // its late old event, 4, is not acknowledged: kept

        var deleted = await log.TrimAsync(Cutoff, Ct);

        Assert.Equal(2, deleted);
        Assert.Equal(["first-recent"], (await log.ReadStreamAsync(first, 0, 10, Ct)).Select(Text));
        Assert.Equal(["second-recent", "second-recent-2", "second-late-old"], (await log.ReadStreamAsync(second, 0, 10, Ct)).Select(Text));
    }

    [Fact]
    public async Task TrimAsync_FindsEveryExpiredEvent_AcrossChunks_IncludingStreamsSplitBetweenThem()
    {
        var log = await OpenLogAsync();
        var ns = NewNamespace();

        // 4,700 expired events, several chunks: 40 small streams (mixed-case keys, whose order differs between
        // collations), each fully or partly acknowledged, and two streams of more than a chunk each, one in the middle
        // of the key order, one at its end, so chunks stop inside them and must resume there. Each stream keeps its
        // unacknowledged old events and its recent ones.
        var expected = new Dictionary<StreamId, long[]>();
        async Task AddStreamAsync(string key, int old, long acknowledged)
        {
            var stream = StreamId.Create(ns, key);
            foreach (var batch in Enumerable.Range(1, old).Chunk(500))
            {
                await log.AppendAsync(stream, Payloads([.. batch.Select(i => $"old{i}")]), Old, Ct);
            }

            await log.AppendAsync(stream, Payloads("recent-1", "recent-2", "recent-3"), Cutoff.AddDays(1), Ct);
            await log.SaveCheckpointAsync(stream, "ledger", acknowledged, Ct);
            expected[stream] = [.. Enumerable.Range(1, old + 3).Select(i => (long)i).Where(i => i > acknowledged || i > old)];
        }

        for (var i = 0; i < 40; i++)
        {
            await AddStreamAsync((i % 2 == 0 ? "s" : "S") + i.ToString("00", CultureInfo.InvariantCulture), old: 30, acknowledged: i % 4 == 0 ? 20 : 33);
            if (i == 20)
            {
                await AddStreamAsync("s20-large", old: 2500, acknowledged: 2503);
            }
        }

        await AddStreamAsync("zz-large", old: 1100, acknowledged: 1103);

        var deleted = await log.TrimAsync(Cutoff, Ct);

        Assert.Equal((10 * 20) + (30 * 30) + 2500 + 1100, deleted);
        foreach (var (stream, sequences) in expected)
        {
            Assert.Equal(sequences, (await log.ReadStreamAsync(stream, 0, 5000, Ct)).Select(e => e.Sequence));
        }
    }

    private static async Task<IReadOnlyList<StoredStreamSubscription>> SubscriptionsAsync(IDurableStreamLog log, string streamNamespace) =>
        [.. (await log.ReadSubscriptionsAsync(Ct)).Where(s => s.StreamId.Namespace == streamNamespace)];

    private static string NewNamespace() => "ns" + Guid.NewGuid().ToString("N");

    private static StreamId NewStream() => StreamId.Create(NewNamespace(), "acct/1");

    private static ReadOnlyMemory<byte>[] Payloads(params string[] texts) =>
        [.. texts.Select(t => new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(t)))];

    private static string Text(StoredStreamEvent e) => Encoding.UTF8.GetString(e.Payload.Span);

    private static void AssertSameLetter(DeadLetter expected, DeadLetter actual)
    {
        Assert.Equal(expected.StreamId, actual.StreamId);
        Assert.Equal(expected.ConsumerId, actual.ConsumerId);
        Assert.Equal(expected.Sequence, actual.Sequence);
        Assert.Equal(expected.Payload.ToArray(), actual.Payload.ToArray());
        Assert.Equal(expected.Attempts, actual.Attempts);
        Assert.Equal(expected.Error, actual.Error);
        Assert.Equal(expected.FailedAt, actual.FailedAt);
    }
}
