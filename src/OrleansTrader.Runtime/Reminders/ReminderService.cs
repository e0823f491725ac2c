using System.Collections.Concurrent;

namespace OrleansTrader.Runtime;

/// <summary>
/// Fires durable reminders: rows live in the <see cref="IReminderTable"/>; this silo keeps one timer per row and sends
/// ReceiveReminder to the grain (activating it) at every tick, never while the reminder's previous tick is still pending.
/// At start it loads every row, so reminders survive restarts.
/// </summary>
internal sealed class ReminderService(GrainRuntime runtime, IReminderTable? table)
{
    private readonly ConcurrentDictionary<(GrainId GrainId, string Name), LocalReminder> _local = new();
    private volatile bool _stopped;

    private TimeProvider TimeProvider => runtime.TimeProvider;

    private IReminderTable Table => table ?? throw new InvalidOperationException(
        "No reminder table is registered. Call silo.UseInMemoryReminderService() or register an IReminderTable.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (table is null)
        {
            return;
        }

        await table.InitializeAsync(cancellationToken);
        foreach (var entry in await table.ReadAllRowsAsync(cancellationToken))
        {
            Schedule(entry);
        }
    }

    public void Stop()
    {
        _stopped = true;
        foreach (var reminder in _local.Values)
        {
            reminder.Dispose();
        }

        _local.Clear();
    }

    public async Task<IGrainReminder> RegisterOrUpdateAsync(GrainId grainId, string name, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        var entry = new ReminderEntry
        {
            GrainId = grainId,
            ReminderName = name,
            StartAt = runtime.TimeProvider.GetUtcNow() + dueTime,
            Period = period,
        };
        var eTag = await Table.UpsertRowAsync(entry);
        entry = entry with { ETag = eTag };
        Schedule(entry);
        return new GrainReminder(name, eTag);
    }

    public async Task<IGrainReminder?> GetAsync(GrainId grainId, string name)
    {
        var entry = await Table.ReadRowAsync(grainId, name);
        return entry is null ? null : new GrainReminder(entry.ReminderName, entry.ETag);
    }

    public async Task<IReadOnlyList<IGrainReminder>> GetAllAsync(GrainId grainId)
    {
        var rows = await Table.ReadRowsAsync(grainId);
        return rows.Select(r => (IGrainReminder)new GrainReminder(r.ReminderName, r.ETag)).ToArray();
    }

    /// <summary>
    /// Removes the registration the handle names, by its ETag (as in Orleans): a handle read before the reminder was
    /// registered again is stale and throws <see cref="ReminderException"/>, leaving the newer registration stored and
    /// firing. A row already gone is not an error (the reminder is unregistered either way).
    /// </summary>
    public async Task UnregisterAsync(GrainId grainId, IGrainReminder reminder)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        if (reminder is not GrainReminder { ETag: { } eTag })
        {
            throw new ArgumentException(
                $"Reminder '{reminder.ReminderName}' is not a handle from RegisterOrUpdateReminder, GetReminder or GetReminders.", nameof(reminder));
        }

        var name = reminder.ReminderName;
        if (!await Table.RemoveRowAsync(grainId, name, eTag) && await Table.ReadRowAsync(grainId, name) is { } current)
        {
            throw new ReminderException(
                $"Could not unregister reminder '{name}' of {grainId}: tag mismatch (the handle has ETag {eTag}, the stored reminder {current.ETag}; it was registered again since the handle was read). Read it again with GetReminder to unregister it.");
        }

        // Only the timer of the registration removed: a newer one scheduled meanwhile (a concurrent register) keeps firing.
        var key = (grainId, name);
        if (_local.TryGetValue(key, out var local) && local.Entry.ETag == eTag && _local.TryRemove(KeyValuePair.Create(key, local)))
        {
            local.Dispose();
        }
    }

    private void Schedule(ReminderEntry entry)
    {
        if (_stopped)
        {
            return;
        }

        var local = new LocalReminder(this, entry);
        _local.AddOrUpdate((entry.GrainId, entry.ReminderName), local, (_, old) =>
        {
            old.Dispose();
            return local;
        });
        local.ArmNext();
    }

    private void Fire(LocalReminder reminder, DateTimeOffset tickTime)
    {
        if (_stopped)
        {
            return;
        }

        var entry = reminder.Entry;
        var request = new ReminderRequest(entry.ReminderName, new TickStatus(entry.StartAt, entry.Period, tickTime));
        runtime.SendFromRuntime(entry.GrainId, request);
        _ = ObserveAsync(request, reminder);
    }

    /// <summary>
    /// As in Orleans, the next tick is armed only once this one has completed (answered, failed or timed out): a grain busy
    /// for longer than the period gets no queue of ticks behind it; the periods it overran are skipped.
    /// </summary>
    private async Task ObserveAsync(ReminderRequest request, LocalReminder reminder)
    {
        try
        {
            await request.AsValueTask();
        }
        catch (Exception ex)
        {
            runtime.LogReminderFailed(ex, reminder.Entry.GrainId, reminder.Entry.ReminderName);
        }

        reminder.ArmNext();
    }

    private sealed class LocalReminder : IDisposable
    {
        // The system clock's timers wait at most 0xfffffffe ms (about 49.7 days) and throw beyond: a reminder due later is
        // reached in steps of at most this long.
        private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

        private readonly ReminderService _service;
        private readonly ITimer _timer;
        private DateTimeOffset _nextTick;

        /// <summary>The timer is armed for a step towards <see cref="_nextTick"/>, not for the tick itself.</summary>
        private bool _stepping;

        public LocalReminder(ReminderService service, ReminderEntry entry)
        {
            _service = service;
            Entry = entry;
            _timer = service.TimeProvider.CreateTimer(
                static s => ((LocalReminder)s!).OnDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public ReminderEntry Entry { get; }

        public void ArmNext()
        {
            var now = _service.TimeProvider.GetUtcNow();
            var next = Entry.StartAt;

            // The first point of the schedule at or after now; once the reminder has ticked (it was armed before), also one
            // before its start: a clock set back (NTP, an operator) puts the ticks just sent ahead of it, and waiting for them
            // again was an hour without ticks for a clock set back an hour.
            if (next < now || _nextTick != default)
            {
                var periods = (long)Math.Ceiling((now - next).Ticks / (double)Entry.Period.Ticks);
                next += TimeSpan.FromTicks(Entry.Period.Ticks * periods);
            }

            // Never the tick just sent again (a timer may fire a little before the clock reaches it), unless the clock is set
            // back more than a period before it.
            if (next <= _nextTick && _nextTick - now <= Entry.Period)
            {
                next = _nextTick + Entry.Period;
            }

            _nextTick = next;
            Arm(now);
        }

        public void Dispose() => _timer.Dispose();

        private void Arm(DateTimeOffset now)
        {
            var delay = _nextTick - now;
            _stepping = delay > MaxTimerDelay;
            try
            {
                _timer.Change(_stepping ? MaxTimerDelay : delay, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }

        private void OnDue()
        {
            // Timers count elapsed time, reminders wall-clock time: when the wall clock has run ahead of the steps (a host
            // suspended, a clock set forward), the tick is due or past, and a negative delay would throw or never fire.
            var now = _service.TimeProvider.GetUtcNow();
            if (_stepping && _nextTick > now)
            {
                Arm(now);
                return;
            }

            // Armed again when the tick completes (see ObserveAsync).
            _service.Fire(this, _nextTick);
        }
    }
}
