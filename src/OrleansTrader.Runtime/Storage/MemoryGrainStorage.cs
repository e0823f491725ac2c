using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansTrader.Runtime;

/// <summary>
/// In-process grain storage keyed by (grain type, grain key, state name) with integer ETags and conditional writes.
/// With a serializer (as registered by AddMemoryGrainStorage) it stores bytes, so later changes to a grain's state object
/// never leak into the stored copy; without one it stores the object reference (fast, for benchmarks and simple tests).
/// A clear leaves a tombstone with the next version, as the SQL providers do, so a version number is never reused and
/// a writer holding an ETag from before the clear always conflicts.
/// </summary>
/// <remarks>
/// Stored bytes live in native memory, as a database's pages live outside the process's heap: kept on the GC heap, every
/// record was copied by the collections it survived (about half of what the order benchmark's heap grew by per order).
/// A stripe's lock covers a record's bytes from lookup to copy, so a write never frees bytes a read is copying. Dispose
/// (or, failing that, the finalizer) frees them.
/// </remarks>
public sealed class MemoryGrainStorage : IGrainStorage, IDisposable
{
    private const int StripeCount = 16;

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

    /// <summary>The bytes of the stored records (0 without a serializer).</summary>
    public long StoredBytes => _stripes.Sum(s => s.Sum(static e => (long)e.Length));

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
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
                return Task.CompletedTask;
            }

            if (entry.Payload != IntPtr.Zero)
            {
                bytes = new byte[entry.Length];
                Marshal.Copy(entry.Payload, bytes, 0, entry.Length);
            }
        }

        grainState.State = bytes is not null ? _serializer!.Deserialize<T>(bytes) : (T)entry.Value!;
        grainState.ETag = Format(entry.Version);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);
        var expected = grainState.ETag;
        var bytes = _serializer?.Serialize(grainState.State);
        var stripe = StripeOf(key);
        long version;
        lock (stripe.Lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(stripe.Records, key);
            var live = !Unsafe.IsNullRef(ref entry) && entry.Exists;

            // A live record must match the writer's ETag; a tombstone (or no record) accepts only a writer that saw no record.
            if (live ? !Matches(entry.Version, expected) : expected is not null)
            {
                throw Conflict(stateName, grainId, live ? entry.Version : null, expected);
            }

            if (Unsafe.IsNullRef(ref entry))
            {
                entry = ref CollectionsMarshal.GetValueRefOrAddDefault(stripe.Records, key, out _);
            }

            // The new copy first: if the allocation fails, the stored record is left as it was.
            var payload = IntPtr.Zero;
            if (bytes is not null)
            {
                payload = Marshal.AllocHGlobal(Math.Max(1, bytes.Length));
                Marshal.Copy(bytes, 0, payload, bytes.Length);
            }

            Free(ref entry);
            entry.Version++;
            entry.Exists = true;
            entry.Payload = payload;
            entry.Length = bytes?.Length ?? 0;
            entry.Value = bytes is null ? grainState.State : null;
            version = entry.Version;
        }

        grainState.ETag = Format(version);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
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
        entry.Value = null;
    }

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
