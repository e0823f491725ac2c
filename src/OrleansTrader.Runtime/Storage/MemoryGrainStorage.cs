using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansTrader.Runtime;

/// <summary>
/// In-process grain storage keyed by (grain type, grain key, state name) with integer ETags and conditional writes.
/// With a serializer (as registered by AddMemoryGrainStorage) it stores bytes, so later changes to a grain's state object
/// never leak into the stored copy; without one it stores the object reference (fast, for benchmarks and simple tests).
/// A clear leaves a tombstone with the next version, as the SQL providers do, so a version number is never reused and
/// a writer holding an ETag from before the clear always conflicts. A delete (<see cref="DeleteStateAsync{T}"/>, for names
/// never written again) removes the entry outright.
/// </summary>
/// <remarks>
/// Stored bytes live in native memory, as a database's pages live outside the process's heap: kept on the GC heap, every
/// record was copied by the collections it survived (about half of what the order benchmark's heap grew by per order).
/// A stripe's lock covers a record's bytes from lookup to copy, so a write never frees bytes a read is copying. A write
/// serializes into a per-thread buffer and copies into the record's block in place when the block fits (records change
/// size little from write to write); a new block is allocated and filled, and the old one freed, outside the lock, so a
/// writer of one record never makes the others of its stripe wait for the allocator. Dispose (or, failing that, the
/// finalizer) frees the blocks.
/// </remarks>
public sealed class MemoryGrainStorage : IGrainStorage, IDisposable
{
    private const int StripeCount = 16;

    // A per-thread serialization buffer larger than this is dropped after use, so one huge record does not pin its size.
    private const int ScratchLimit = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    private readonly Stripe[] _stripes = new Stripe[StripeCount];
    private readonly IGrainStateSerializer? _serializer;
    private bool _disposed;

    public MemoryGrainStorage()
    {
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new Stripe();
        }
    }

    public MemoryGrainStorage(IGrainStateSerializer serializer)
        : this()
    {
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
    }

    ~MemoryGrainStorage() => FreeAll();

    /// <summary>The number of stored records (tombstones excluded).</summary>
    public int Count => _stripes.Sum(s => s.Count(static e => e.Exists));

    /// <summary>The tombstones cleared records left (one entry each, kept for good unless deleted).</summary>
    public int Tombstones => _stripes.Sum(s => s.Count(static e => !e.Exists));

    /// <summary>The bytes of the stored records (0 without a serializer).</summary>
    public long StoredBytes => _stripes.Sum(s => s.Sum(static e => (long)e.Length));

    /// <summary>The native memory held for them: each block has some room to grow in place.</summary>
    public long AllocatedBytes => _stripes.Sum(s => s.Sum(static e => (long)e.Capacity));

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        Read(stateName, grainId, grainState);
        return Task.CompletedTask;
    }

    private void Read<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);
        var stripe = StripeOf(key);
        byte[]? bytes = null;
        Entry entry;
        lock (stripe.Lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!stripe.Records.TryGetValue(key, out entry) || !entry.Exists)
            {
                grainState.ETag = null;
                grainState.RecordExists = false;
                return;
            }

            if (entry.Payload != IntPtr.Zero)
            {
                bytes = ArrayPool<byte>.Shared.Rent(entry.Length);
                Marshal.Copy(entry.Payload, bytes, 0, entry.Length);
            }
        }

        try
        {
            grainState.State = bytes is not null ? _serializer!.Deserialize<T>(bytes.AsSpan(0, entry.Length)) : (T)entry.Value!;
        }
        finally
        {
            if (bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        grainState.ETag = Format(entry.Version);
        grainState.RecordExists = true;
    }

    /// <summary>Reads each record as <see cref="ReadStateAsync{T}"/> does, with no await between them (nothing here waits).</summary>
    public Task<IReadOnlyList<GrainState<T>>> ReadRecordsAsync<T>(
        IReadOnlyList<string> stateNames, GrainId grainId, CancellationToken cancellationToken = default)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(stateNames);
        var records = new GrainState<T>[stateNames.Count];
        for (var i = 0; i < records.Length; i++)
        {
            var record = new GrainState<T>(new T());
            Read(stateNames[i], grainId, record);
            record.State ??= new T();
            records[i] = record;
        }

        return Task.FromResult<IReadOnlyList<GrainState<T>>>(records);
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);
        var expected = grainState.ETag;
        var stripe = StripeOf(key);
        if (_serializer is null)
        {
            lock (stripe.Lock)
            {
                ref var entry = ref Admit(stripe, key, expected, stateName, grainId);
                Store(ref entry, IntPtr.Zero, 0, 0, grainState.State);
                Written(grainState, entry.Version);
            }

            return Task.CompletedTask;
        }

        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(4096);
        scratch.ResetWrittenCount();
        try
        {
            _serializer.Serialize(grainState.State, scratch);
            var length = scratch.WrittenCount;
            MemoryMarshal.TryGetArray(scratch.WrittenMemory, out var bytes);
            lock (stripe.Lock)
            {
                ref var entry = ref Admit(stripe, key, expected, stateName, grainId);
                if (Fits(entry.Capacity, length))
                {
                    Marshal.Copy(bytes.Array!, bytes.Offset, entry.Payload, length);
                    Store(ref entry, entry.Payload, length, entry.Capacity, null);
                    Written(grainState, entry.Version);
                    return Task.CompletedTask;
                }
            }

            // A new block: allocated and filled without the lock; the swap checks the ETag again, since another writer may
            // have come first meanwhile.
            var capacity = CapacityFor(length);
            var payload = Marshal.AllocHGlobal(capacity);
            Marshal.Copy(bytes.Array!, bytes.Offset, payload, length);
            var old = payload;
            try
            {
                lock (stripe.Lock)
                {
                    ref var entry = ref Admit(stripe, key, expected, stateName, grainId);
                    old = entry.Payload;
                    Store(ref entry, payload, length, capacity, null);
                    Written(grainState, entry.Version);
                }
            }
            finally
            {
                // The replaced block once swapped, or the new one when the swap was refused; no reader can hold either.
                if (old != IntPtr.Zero)
                {
                    Marshal.FreeHGlobal(old);
                }
            }

            return Task.CompletedTask;
        }
        finally
        {
            if (scratch.Capacity > ScratchLimit)
            {
                t_scratch = null;
            }
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        RemoveAsync(stateName, grainId, grainState, forget: false);

    public Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        RemoveAsync(stateName, grainId, grainState, forget: true);

    /// <summary>A clear (the entry stays as a tombstone with the next version) or, with <paramref name="forget"/>, a delete of the entry.</summary>
    private Task RemoveAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, bool forget)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);
        var expected = grainState.ETag;
        var stripe = StripeOf(key);
        lock (stripe.Lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(stripe.Records, key);
            if (!Unsafe.IsNullRef(ref entry) && entry.Exists)
            {
                if (!Matches(entry.Version, expected))
                {
                    throw Conflict(stateName, grainId, entry.Version, expected);
                }

                Free(ref entry);
                entry.Version++;
                entry.Exists = false;
            }
            else if (expected is not null)
            {
                throw Conflict(stateName, grainId, null, expected);
            }

            if (forget && !Unsafe.IsNullRef(ref entry))
            {
                stripe.Records.Remove(key);
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <summary>Frees every stored record's bytes; the storage is unusable afterwards.</summary>
    public void Dispose()
    {
        FreeAll();
        GC.SuppressFinalize(this);
    }

    private void FreeAll()
    {
        foreach (var stripe in _stripes)
        {
            // The finalizer may run on a storage whose constructor failed part-way.
            if (stripe is null)
            {
                continue;
            }

            lock (stripe.Lock)
            {
                _disposed = true;
                foreach (var key in stripe.Records.Keys)
                {
                    Free(ref CollectionsMarshal.GetValueRefOrNullRef(stripe.Records, key));
                }
            }
        }
    }

    private static void Free(ref Entry entry)
    {
        if (entry.Payload != IntPtr.Zero)
        {
            Marshal.FreeHGlobal(entry.Payload);
        }

        entry.Payload = IntPtr.Zero;
        entry.Length = 0;
        entry.Capacity = 0;
        entry.Value = null;
    }

    /// <summary>
    /// The record a write may replace (added if there is none), or a conflict: a live record must match the writer's ETag;
    /// a tombstone (or no record) accepts only a writer that saw no record. Called under the stripe's lock.
    /// </summary>
    private ref Entry Admit(Stripe stripe, (string, string, string) key, string? expected, string stateName, GrainId grainId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(stripe.Records, key, out var existed);
        var live = existed && entry.Exists;
        if (live ? !Matches(entry.Version, expected) : expected is not null)
        {
            if (!existed)
            {
                stripe.Records.Remove(key);
            }

            throw Conflict(stateName, grainId, live ? entry.Version : null, expected);
        }

        return ref entry;
    }

    /// <summary>Makes <paramref name="entry"/> the next version holding this block (its old block, if another, is the caller's to free).</summary>
    private static void Store(ref Entry entry, IntPtr payload, int length, int capacity, object? value)
    {
        entry.Version++;
        entry.Exists = true;
        entry.Payload = payload;
        entry.Length = length;
        entry.Capacity = capacity;
        entry.Value = value;
    }

    private static void Written<T>(IGrainState<T> grainState, long version)
    {
        grainState.ETag = Format(version);
        grainState.RecordExists = true;
    }

    /// <summary>A block is reused while the record fills at least half of it, so a record that shrank gives memory back.</summary>
    private static bool Fits(int capacity, int length) => capacity > 0 && length <= capacity && length >= capacity / 2;

    /// <summary>An eighth more than needed, so a record that grows a little (an order more) is still written in place.</summary>
    private static int CapacityFor(int length) => Math.Max(16, length + (length / 8));

    private Stripe StripeOf((string, string, string) key) => _stripes[(int)((uint)key.GetHashCode() % StripeCount)];

    private static (string, string, string) Key(string stateName, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        return (grainId.Type.Value, grainId.Key, stateName);
    }

    private static bool Matches(long version, string? etag) =>
        etag is not null && long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var expected) && expected == version;

    private static string Format(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static InconsistentStateException Conflict(string stateName, GrainId grainId, long? stored, string? expected)
    {
        var storedETag = stored is { } version ? Format(version) : null;
        return new InconsistentStateException(
            $"State '{stateName}' of {grainId}: stored version {storedETag ?? "none"}, writer had {expected ?? "none"}.", storedETag, expected);
    }

    /// <summary>One record: its version (kept by the tombstone a clear leaves) and its bytes or, without a serializer, its object.</summary>
    private struct Entry
    {
        public long Version;

        /// <summary>False for the tombstone a clear leaves behind.</summary>
        public bool Exists;

        public IntPtr Payload;

        public int Length;

        /// <summary>The size of the block at <see cref="Payload"/>.</summary>
        public int Capacity;

        public object? Value;
    }

    /// <summary>A share of the records under one lock, so writers of different grains rarely wait for each other.</summary>
    private sealed class Stripe
    {
        public Lock Lock { get; } = new();

        public Dictionary<(string GrainType, string Key, string StateName), Entry> Records { get; } = [];

        public int Count(Func<Entry, bool> predicate)
        {
            lock (Lock)
            {
                return Records.Values.Count(predicate);
            }
        }

        public long Sum(Func<Entry, long> selector)
        {
            lock (Lock)
            {
                return Records.Values.Sum(selector);
            }
        }
    }
}
